// @ts-check
// The conformance check's record of every exchange, and the redaction applied before anything is written: the API key
// becomes ***, and every URL loses its user-info and its query string (signed storage URLs carry tokens).
'use strict';

/** Headers never written down. */
const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key)$/i;

// scheme (also JSON-escaped, https:\/\/), optional user-info, the rest up to the query, and the query string, which may
// hold JSON escapes such as \u0026 (Go's encoder writes & that way).
const URL_PATTERN = /(https?:(?:\\?\/){2})([^\s/?#"'<>()\\@]+@)?((?:[^\s?#"'<>()\\]|\\\/)*)(\?(?:[^\s#"'<>()\\]|\\u[0-9a-fA-F]{4}|\\\/)*)?/gi;

/** @param {string} text @param {string} key */
function redactText(text, key) {
	const withoutKey = key ? text.split(key).join('***') : text;
	return withoutKey.replace(URL_PATTERN, (_match, scheme, userInfo, rest, query) => `${scheme}${userInfo ? '***@' : ''}${rest}${query ? '?***' : ''}`);
}

/** A deep copy with every string redacted. @param {unknown} value @param {string} key @returns {unknown} */
function redact(value, key) {
	if (typeof value === 'string') return redactText(value, key);
	if (Array.isArray(value)) return value.map((item) => redact(item, key));
	if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, redact(inner, key)]));
	return value;
}

/** @param {Headers | Record<string, string>} headers */
function headersToRecord(headers) {
	const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
	return Object.fromEntries(entries.filter(([name]) => !SECRET_HEADERS.test(name)));
}

/**
 * @typedef {{ label: string, at: string, ms: number, method: string, url: string, taskId?: string,
 *   request: { headers: Record<string, string>, body?: unknown },
 *   response?: { status: number, headers: Record<string, string>, body?: unknown, rawEvents?: string }, error?: string,
 *   partialRawEvents?: string }} Exchange
 */

/** The exchanges of one run, in the order they started. */
function createRecorder() {
	/** @type {Exchange[]} */
	const exchanges = [];
	return {
		exchanges,
		/** @param {Omit<Exchange, 'at' | 'ms' | 'response' | 'error' | 'partialRawEvents'>} start */
		begin(start) {
			/** @type {Exchange} */
			const exchange = { ...start, at: new Date().toISOString(), ms: 0, request: { ...start.request, headers: headersToRecord(start.request.headers) } };
			const startedAt = Date.now();
			exchanges.push(exchange);
			return {
				/** @param {Response} response @param {{ body?: unknown, rawEvents?: string }} content */
				end(response, content) {
					exchange.ms = Date.now() - startedAt;
					exchange.response = { status: response.status, headers: headersToRecord(response.headers), ...content };
				},
				/** @param {unknown} error @param {{ rawEvents?: string }} [content] what arrived before it broke off */
				fail(error, content = {}) {
					exchange.ms = Date.now() - startedAt;
					exchange.error = error instanceof Error ? error.message : String(error);
					if (content.rawEvents) exchange.partialRawEvents = content.rawEvents;
				},
			};
		},
	};
}

module.exports = { createRecorder, redact, redactText };
