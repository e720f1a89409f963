// @ts-check
// The conformance check's three tasks: POST /v1/video/create then GET /v1/video/query, POST /v1/videos then
// GET /v1/videos/{id}, and the Sora chat stream (then one GET /v1/video/query of the task id it names).
'use strict';
const { makePng } = require('./png');
const { streamFacts } = require('./shapes');

/**
 * @typedef {import('./shapes').Seen} Seen
 * @typedef {{ baseUrl: string, key: string, prompt: string, pollMs: number, deadline: number,
 *   recorder: ReturnType<typeof import('./record').createRecorder>, finalStateOf: (s: unknown) => 'completed' | 'failed' | 'running',
 *   log: (line: string) => void }} Context
 * @typedef {{ outcome: string }} Outcome
 */

/** @param {string} text */
function parseJson(text) {
	try {
		return JSON.parse(text);
	} catch {
		return text.length > 65536 ? `${text.slice(0, 65536)}… (${text.length} characters)` : text;
	}
}

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const timeLeft = (/** @type {Context} */ ctx) => AbortSignal.timeout(Math.max(1, ctx.deadline - Date.now()));

/**
 * One recorded request. @param {Context} ctx @param {string} label @param {string} method @param {string} urlPath
 * @param {{ json?: unknown, form?: { data: FormData, summary: unknown }, taskId?: string }} [options]
 */
async function call(ctx, label, method, urlPath, options = {}) {
	const url = `${ctx.baseUrl}${urlPath}`;
	/** @type {Record<string, string>} */
	const headers = { authorization: `Bearer ${ctx.key}`, ...(options.json ? { 'content-type': 'application/json' } : {}) };
	const recorded = options.form ? { ...headers, 'content-type': 'multipart/form-data (boundary set by fetch)' } : headers;
	const exchange = ctx.recorder.begin({ label, method, url, taskId: options.taskId, request: { headers: recorded, body: options.json ?? options.form?.summary } });
	try {
		const body = options.json ? JSON.stringify(options.json) : options.form?.data;
		const response = await fetch(url, { method, headers, body, signal: timeLeft(ctx) });
		const parsed = parseJson(await response.text());
		exchange.end(response, { body: parsed });
		return { ok: response.ok, status: response.status, body: parsed };
	} catch (error) {
		exchange.fail(error);
		return { ok: false, status: 0, body: undefined };
	}
}

/**
 * Polls a task until the nodes would call it final, the time-out, or five failed polls in a row.
 * @param {Context} ctx @param {string} label @param {string} urlPath @param {string} id @param {import('./shapes').TaskSeen} seen
 * @returns {Promise<Outcome>}
 */
async function pollTask(ctx, label, urlPath, id, seen) {
	let failures = 0;
	let lastStatus = String(seen.answer?.status);
	while (Date.now() < ctx.deadline) {
		await sleep(Math.min(ctx.pollMs, ctx.deadline - Date.now()));
		const answer = await call(ctx, `${label} poll`, 'GET', urlPath, { taskId: id });
		if (!answer.ok) {
			ctx.log(`  ${label}: poll answered ${answer.status || 'nothing'}`);
			if (++failures >= 5) return { outcome: `five failed polls in a row (last: ${answer.status || 'no answer'})` };
			continue;
		}
		failures = 0;
		seen.polls.push(answer.body);
		const status = String(answer.body?.status);
		if (status !== lastStatus) ctx.log(`  ${label}: ${status}`);
		lastStatus = status;
		const state = ctx.finalStateOf(answer.body?.status);
		if (state !== 'running') return { outcome: state };
	}
	return { outcome: 'timed out' };
}

/** POST /v1/video/create (veo2-fast), then GET /v1/video/query. @param {Context} ctx @param {Seen} seen @returns {Promise<Outcome>} */
async function runCreate(ctx, seen) {
	const created = await call(ctx, '/v1/video/create', 'POST', '/v1/video/create', { json: { model: 'veo2-fast', prompt: ctx.prompt } });
	if (!created.ok || typeof created.body?.id !== 'string') return { outcome: `the create answered ${created.status || 'nothing'}` };
	seen.create.answer = created.body;
	ctx.log(`  /v1/video/create: task ${created.body.id}, ${created.body.status}`);
	return await pollTask(ctx, '/v1/video/query', `/v1/video/query?id=${encodeURIComponent(created.body.id)}`, created.body.id, seen.create);
}

/** POST /v1/videos (veo_3_1-fast, 5 s, 16x9, a PNG), then GET /v1/videos/{id}. @param {Context} ctx @param {Seen} seen @returns {Promise<Outcome>} */
async function runVideos(ctx, seen) {
	const png = makePng();
	const fields = { model: 'veo_3_1-fast', prompt: ctx.prompt, seconds: '5', size: '16x9' };
	const data = new FormData();
	for (const [name, value] of Object.entries(fields)) data.append(name, value);
	data.append('input_reference', new Blob([png], { type: 'image/png' }), 'reference.png');
	const summary = { fields, files: [{ field: 'input_reference', filename: 'reference.png', contentType: 'image/png', size: png.length }] };
	const created = await call(ctx, '/v1/videos', 'POST', '/v1/videos', { form: { data, summary } });
	if (!created.ok || typeof created.body?.id !== 'string') return { outcome: `the create answered ${created.status || 'nothing'}` };
	seen.videos.answer = created.body;
	ctx.log(`  /v1/videos: task ${created.body.id}, ${created.body.status}`);
	return await pollTask(ctx, '/v1/videos/{id}', `/v1/videos/${encodeURIComponent(created.body.id)}`, created.body.id, seen.videos);
}

/** The events of a Server-Sent Events text: delta.content pieces, whether [DONE] came, error events. @param {string} raw */
function parseEvents(raw) {
	/** @type {{ pieces: string[], done: boolean, errors: unknown[] }} */
	const result = { pieces: [], done: false, errors: [] };
	for (const block of raw.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
		const data = block.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).replace(/^ /, '')).join('\n');
		if (data === '') continue;
		if (data.trim() === '[DONE]') {
			result.done = true;
			continue;
		}
		try {
			const event = JSON.parse(data);
			if (event.error) result.errors.push(event.error);
			const content = event.choices?.[0]?.delta?.content ?? event.choices?.[0]?.message?.content;
			if (typeof content === 'string' && content !== '') result.pieces.push(content);
		} catch {
			result.errors.push(`not JSON: ${data.slice(0, 200)}`);
		}
	}
	return result;
}

/** The Sora chat stream read to its end, then one query of the task id it names. @param {Context} ctx @param {Seen} seen @returns {Promise<Outcome>} */
async function runStream(ctx, seen) {
	const url = `${ctx.baseUrl}/v1/chat/completions`;
	const json = { model: 'sora-2', stream: true, messages: [{ role: 'user', content: ctx.prompt }] };
	const headers = { authorization: `Bearer ${ctx.key}`, 'content-type': 'application/json', accept: 'text/event-stream' };
	const exchange = ctx.recorder.begin({ label: '/v1/chat/completions (stream)', method: 'POST', url, request: { headers, body: json } });
	let raw = '';
	let outcome = 'ended';
	try {
		const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(json), signal: timeLeft(ctx) });
		if (!response.ok || !response.body) {
			exchange.end(response, { body: parseJson(await response.text()) });
			return { outcome: `answered ${response.status}` };
		}
		ctx.log('  /v1/chat/completions: streaming');
		const decoder = new TextDecoder();
		for await (const chunk of response.body) raw += decoder.decode(chunk, { stream: true });
		raw += decoder.decode();
		exchange.end(response, { rawEvents: raw });
	} catch (error) {
		exchange.fail(error, { rawEvents: raw });
		outcome = `broke off: ${error instanceof Error ? error.message : error}`;
	}
	seen.stream = parseEvents(raw);
	const facts = streamFacts(seen.stream);
	ctx.log(`  /v1/chat/completions: ${seen.stream.pieces.length} content event(s), ${seen.stream.done ? '[DONE]' : 'no [DONE]'}${facts?.taskId ? `, task ${facts.taskId}` : ''}`);
	if (facts?.taskId) {
		const query = await call(ctx, 'stream task /v1/video/query', 'GET', `/v1/video/query?id=${encodeURIComponent(facts.taskId)}`, { taskId: facts.taskId });
		seen.stream.query = { httpStatus: query.status, status: query.ok ? query.body?.status : undefined };
	}
	return { outcome };
}

module.exports = { runCreate, runVideos, runStream, parseEvents };
