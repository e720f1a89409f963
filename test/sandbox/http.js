// @ts-check
const { ApiError } = require('./apiError');

/** Reads a request body, refusing more than `limit` bytes. @param {import('node:http').IncomingMessage} req @param {number} limit */
async function readBody(req, limit) {
	/** @type {Buffer[]} */
	const chunks = [];
	let size = 0;
	for await (const chunk of req) {
		size += chunk.length;
		if (size > limit) throw new ApiError(413, `The request body is larger than ${limit} bytes.`);
		chunks.push(chunk);
	}
	return Buffer.concat(chunks);
}

/** @param {import('node:http').IncomingMessage} req @param {number} limit */
async function readJson(req, limit) {
	if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
		throw new ApiError(400, 'The request body must be JSON (Content-Type: application/json).');
	}
	const text = (await readBody(req, limit)).toString('utf8');
	try {
		return JSON.parse(text);
	} catch {
		throw new ApiError(400, 'The request body is not valid JSON.');
	}
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} body @param {Record<string, string>} [headers] */
function sendJson(res, status, body, headers = {}) {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
	res.end(text);
}

/** @param {number} ms */
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { readBody, readJson, sendJson, delay };
