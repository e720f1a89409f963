// @ts-check
// Strict request validation, as the API document describes each endpoint. Anything the document does not allow
// for a model is a 400, so a client that sends a parameter a model does not take is caught here.
const { invalidParam, ApiError } = require('./apiError');
const M = require('./models');

const isHttpUrl = (/** @type {unknown} */ value) => typeof value === 'string' && /^https?:\/\/[^\s/]+\.?[^\s]*$/i.test(value);

/** @param {any} body @param {string} name */
function requireString(body, name) {
	if (!(name in body)) throw invalidParam(name, `Missing required parameter: '${name}'.`);
	if (typeof body[name] !== 'string') throw invalidParam(name, `Invalid type for '${name}': expected a string.`);
	if (body[name].trim() === '') throw invalidParam(name, `'${name}' must not be empty.`);
	return body[name];
}

/** @param {any} body @param {string} name */
function optionalBoolean(body, name) {
	if (name in body && typeof body[name] !== 'boolean') throw invalidParam(name, `Invalid type for '${name}': expected a boolean.`);
}

/** @param {any} body @param {string} name @param {readonly unknown[]} allowed */
function optionalOneOf(body, name, allowed) {
	if (name in body && !allowed.includes(body[name])) {
		throw invalidParam(name, `Invalid value for '${name}': ${JSON.stringify(body[name])}. Supported values: ${allowed.join(', ')}.`);
	}
}

/** @param {any} body @param {readonly string[]} allowed @param {string} model */
function rejectUnknown(body, allowed, model) {
	for (const key of Object.keys(body)) {
		if (!allowed.includes(key)) throw invalidParam(key, `Unsupported parameter '${key}' for model '${model}'.`);
	}
}

/** @param {any} images @param {number} max @param {boolean} required */
function checkImages(images, max, required) {
	if (images === undefined) {
		if (required) throw invalidParam('images', "Missing required parameter: 'images'.");
		return;
	}
	if (!Array.isArray(images)) throw invalidParam('images', "Invalid type for 'images': expected an array of URLs.");
	if (required && images.length === 0) throw invalidParam('images', "'images' must contain at least one image URL.");
	if (images.length > max) throw invalidParam('images', `Too many images: this model takes at most ${max}.`);
	images.forEach((url, index) => {
		if (!isHttpUrl(url)) throw invalidParam(`images[${index}]`, `Invalid image URL at images[${index}]: expected an http(s) URL.`);
	});
}

/** POST /v1/video/create. Returns the model's rules. @param {any} body */
function validateCreate(body) {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'The request body must be a JSON object.');
	const model = requireString(body, 'model');
	if (M.VIDEOS_MODELS.includes(model)) throw invalidParam('model', `Model '${model}' is served by POST /v1/videos, not /v1/video/create.`);
	/** @type {any} */
	const rules = /** @type {any} */ (M.CREATE_MODELS)[model];
	if (!rules) throw invalidParam('model', `Unknown model '${model}'.`);
	requireString(body, 'prompt');

	if (rules.family === 'veo') {
		const allowed = ['model', 'prompt', 'enhance_prompt', 'enable_upsample'];
		if (rules.aspectRatio) allowed.push('aspect_ratio');
		if (rules.images > 0) allowed.push('images');
		rejectUnknown(body, allowed, model);
		optionalBoolean(body, 'enhance_prompt');
		optionalBoolean(body, 'enable_upsample');
		optionalOneOf(body, 'aspect_ratio', M.ASPECT_RATIOS);
		checkImages(body.images, rules.images, false);
		return rules;
	}

	rejectUnknown(body, ['model', 'prompt', 'images', 'orientation', 'size', 'duration', 'watermark', 'private', 'character_url', 'character_timestamps'], model);
	checkImages(body.images, Infinity, true);
	optionalOneOf(body, 'orientation', M.SORA_ORIENTATIONS);
	optionalOneOf(body, 'size', M.SORA_SIZES);
	if ('duration' in body && !Number.isInteger(body.duration)) throw invalidParam('duration', "Invalid type for 'duration': expected an integer.");
	optionalOneOf(body, 'duration', rules.durations);
	optionalBoolean(body, 'watermark');
	optionalBoolean(body, 'private');
	if ('character_url' in body && !isHttpUrl(body.character_url)) throw invalidParam('character_url', "'character_url' must be an http(s) URL.");
	if ('character_timestamps' in body) checkTimestamps(body.character_timestamps);
	return rules;
}

/** `{start},{end}` in seconds, start before end. @param {unknown} value */
function checkTimestamps(value) {
	const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(value) : null;
	if (!match || Number(match[1]) >= Number(match[2])) {
		throw invalidParam('character_timestamps', "'character_timestamps' must be '{start},{end}' in seconds with start before end, e.g. '0,3'.");
	}
}

/**
 * POST /v1/videos (multipart). All text fields arrive as strings, as multipart sends them.
 * @param {Record<string, string>} fields
 * @param {Array<{ field: string, filename?: string, contentType?: string, data: Buffer }>} files
 */
function validateVideos(fields, files) {
	for (const file of files) {
		if (file.field !== 'input_reference') throw invalidParam(file.field, `Unexpected file field '${file.field}'.`);
	}
	for (const name of Object.keys(fields)) {
		if (!['model', 'prompt', 'seconds', 'size', 'watermark'].includes(name)) throw invalidParam(name, `Unsupported parameter '${name}'.`);
	}
	const model = requireString(fields, 'model');
	if (!M.VIDEOS_MODELS.includes(model)) throw invalidParam('model', `Model '${model}' is not available on /v1/videos. Use one of: ${M.VIDEOS_MODELS.join(', ')}.`);
	requireString(fields, 'prompt');
	const seconds = requireString(fields, 'seconds');
	if (!/^[1-9]\d*$/.test(seconds)) throw invalidParam('seconds', `Invalid value for 'seconds': '${seconds}'. Expected a positive whole number as a string.`);
	requireString(fields, 'size');
	optionalOneOf(fields, 'size', M.VIDEOS_SIZES);
	optionalOneOf(fields, 'watermark', ['true', 'false']);
	const images = files.filter((file) => file.field === 'input_reference');
	if (images.length === 0) throw invalidParam('input_reference', "Missing required file: 'input_reference'.");
	if (images.length > 1) throw invalidParam('input_reference', "Only one 'input_reference' file is accepted.");
	const [image] = images;
	if (!image.filename) throw invalidParam('input_reference', "'input_reference' must be sent as a file (with a filename).");
	if (!isImage(image.data)) throw invalidParam('input_reference', "'input_reference' is not a JPEG, PNG, GIF or WebP image.");
	if (!/^image\//.test(image.contentType ?? '')) throw invalidParam('input_reference', `'input_reference' has content type '${image.contentType ?? 'none'}', expected image/*.`);
	return { model, seconds: Number(seconds), size: fields.size, image };
}

/** Magic bytes of the image formats the API takes. @param {Buffer} data */
function isImage(data) {
	const startsWith = (/** @type {number[]} */ bytes, offset = 0) => bytes.every((byte, i) => data[offset + i] === byte);
	return (
		startsWith([0xff, 0xd8, 0xff]) ||
		startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) ||
		startsWith([0x47, 0x49, 0x46, 0x38]) ||
		(startsWith([0x52, 0x49, 0x46, 0x46]) && startsWith([0x57, 0x45, 0x42, 0x50], 8))
	);
}

/** POST /v1/chat/completions. Returns the model and the prompt (the last user message). @param {any} body */
function validateChat(body) {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'The request body must be a JSON object.');
	const model = requireString(body, 'model');
	if (!M.CHAT_MODELS.includes(model)) throw invalidParam('model', `Model '${model}' does not generate videos through chat completions. Use one of: ${M.CHAT_MODELS.join(', ')}.`);
	optionalBoolean(body, 'stream');
	if (!Array.isArray(body.messages) || body.messages.length === 0) throw invalidParam('messages', "'messages' must be a non-empty array.");
	const user = [...body.messages].reverse().find((message) => message && message.role === 'user');
	const prompt = user ? textOf(user.content) : '';
	if (!prompt.trim()) throw invalidParam('messages', 'The last user message must have text content (the video prompt).');
	return { model, prompt, stream: body.stream === true };
}

/** @param {unknown} content */
function textOf(content) {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => (part && part.type === 'text' ? String(part.text ?? '') : '')).join('');
	return '';
}

module.exports = { validateCreate, validateVideos, validateChat, isImage };
