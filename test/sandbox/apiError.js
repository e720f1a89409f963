// @ts-check
// Errors in the OpenAI-style shape the API's clients expect: { error: { message, type, code, param } }.

class ApiError extends Error {
	/**
	 * @param {number} status
	 * @param {string} message
	 * @param {{ type?: string, code?: string, param?: string, headers?: Record<string, string> }} [details]
	 */
	constructor(status, message, details = {}) {
		super(message);
		this.status = status;
		this.type = details.type ?? typeFor(status);
		this.code = details.code ?? null;
		this.param = details.param ?? null;
		this.headers = details.headers ?? {};
	}

	body() {
		return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
	}
}

/** @param {number} status */
function typeFor(status) {
	if (status === 400 || status === 413 || status === 415) return 'invalid_request_error';
	if (status === 401) return 'authentication_error';
	if (status === 402) return 'insufficient_quota';
	if (status === 404) return 'not_found_error';
	if (status === 429) return 'rate_limit_error';
	return 'server_error';
}

/** @param {string} param @param {string} message */
const invalidParam = (param, message) => new ApiError(400, message, { code: 'invalid_parameter', param });

module.exports = { ApiError, invalidParam };
