// @ts-check
// A strict multipart/form-data parser (RFC 7578): CRLF line breaks, a boundary from the Content-Type header,
// Content-Disposition on every part. Enough for the API's one file field; it works on a buffered body.

const { ApiError } = require('./apiError');

/** @param {string | undefined} contentType */
function boundaryOf(contentType) {
	const match = /^multipart\/form-data\s*;.*\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
	if (!match) throw new ApiError(400, "The request must be multipart/form-data with a boundary (Content-Type: multipart/form-data; boundary=…).");
	return match[1] ?? match[2];
}

/** @param {string} headerBlock */
function partHeaders(headerBlock) {
	/** @type {Record<string, string>} */
	const headers = {};
	for (const line of headerBlock.split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
	}
	return headers;
}

/** @param {string} disposition @param {string} key */
function dispositionParam(disposition, key) {
	const match = new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(disposition) ?? new RegExp(`;\\s*${key}=([^;\\s]+)`, 'i').exec(disposition);
	return match ? match[1].replace(/\\(.)/g, '$1') : undefined;
}

/**
 * @param {Buffer} body
 * @param {string | undefined} contentType
 * @returns {{ fields: Record<string, string>, files: Array<{ field: string, filename?: string, contentType?: string, data: Buffer }> }}
 */
function parseMultipart(body, contentType) {
	const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
	/** @type {Record<string, string>} */
	const fields = {};
	/** @type {Array<{ field: string, filename?: string, contentType?: string, data: Buffer }>} */
	const files = [];
	let position = body.indexOf(delimiter);
	if (position < 0) throw new ApiError(400, 'Malformed multipart body: the boundary does not occur in it.');
	for (;;) {
		position += delimiter.length;
		if (body.subarray(position, position + 2).toString() === '--') break; // the closing delimiter
		if (body.subarray(position, position + 2).toString() !== '\r\n') throw new ApiError(400, 'Malformed multipart body: expected CRLF after a boundary.');
		const headerEnd = body.indexOf('\r\n\r\n', position + 2);
		if (headerEnd < 0) throw new ApiError(400, 'Malformed multipart body: a part has no header end.');
		const headers = partHeaders(body.subarray(position + 2, headerEnd).toString('utf8'));
		const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
		if (next < 0) throw new ApiError(400, 'Malformed multipart body: a part is not closed by the boundary.');
		const data = body.subarray(headerEnd + 4, next);
		const disposition = headers['content-disposition'] ?? '';
		const name = dispositionParam(disposition, 'name');
		if (!/^form-data/i.test(disposition) || name === undefined) throw new ApiError(400, 'Malformed multipart body: a part has no Content-Disposition: form-data; name=….');
		const filename = dispositionParam(disposition, 'filename');
		if (filename !== undefined || headers['content-type']) files.push({ field: name, filename, contentType: headers['content-type'], data });
		else fields[name] = data.toString('utf8');
		position = next + 2;
	}
	return { fields, files };
}

module.exports = { parseMultipart };
