// @ts-check
// The Server-Sent Events answer of POST /v1/chat/completions, with the faults real networks and proxies add:
// tiny chunks split at any byte, CRLF or CR line endings, comment lines, multi-line data fields, a dropped
// connection, an error event, a missing [DONE].
const { delay } = require('./http');
const { seededRandom } = require('./tasks');
const V = require('./variants');

/**
 * @typedef {{ progressIntervalMs: number, chunkBytes: number, chunkDelayMs: number, lineEnding: string, comments: boolean,
 *   multiLineData: boolean, dropAfterEvents: number, omitDone: boolean, errorAfterEvents: number }} SseConfig
 */

/** One `data:` event, written the way the config asks. @param {string} payload @param {SseConfig} sse */
function encodeEvent(payload, sse) {
	const eol = sse.lineEnding;
	const lines = sse.multiLineData && payload.startsWith('{') ? JSON.stringify(JSON.parse(payload), null, 1).split('\n') : [payload];
	const comment = sse.comments ? `: keep-alive${eol}` : '';
	return `${comment}${lines.map((line) => `data: ${line}`).join(eol)}${eol}${eol}`;
}

/** @param {string} model @param {string} content @param {string} chatId */
function chunkPayload(model, content, chatId) {
	return JSON.stringify({
		id: chatId,
		object: 'chat.completion.chunk',
		created: Math.floor(Date.now() / 1000),
		model,
		choices: [{ index: 0, delta: { content }, finish_reason: null }],
	});
}

/**
 * @typedef {{ task: any, store: any, sse: SseConfig, fileUrl: string, previewUrl: string, variants: readonly string[],
 *   closed: () => boolean }} StreamContext
 */

/** The document's `key: value` lines (each ending in "\n"), in order, as the task runs: task_id, progress: N%, then video_url or a failure. @param {StreamContext} c */
async function* taskLines({ task, store, sse, fileUrl, variants, closed }) {
	yield `task_id: ${task.id}\n`;
	const note = task.outcome === 'completed' ? V.harmlessLine(variants) : undefined;
	let lastProgress = -1;
	let noted = note === undefined;
	while (!closed()) {
		const state = store.stateOf(task);
		if (state.phase === 'completed') {
			store.markObserved(task);
			if (!noted) yield `${note}\n`;
			yield 'progress: 100%\n';
			yield `video_url: ${fileUrl}\n`;
			return;
		}
		if (state.phase === 'failed') {
			store.markObserved(task);
			yield `${V.streamFailureLine(variants, task)}\n`;
			return;
		}
		if (state.progress !== lastProgress) yield `progress: ${state.progress}%\n`;
		if (!noted) yield `${note}\n`;
		noted = true;
		lastProgress = state.progress;
		await delay(sse.progressIntervalMs);
	}
}

/** The `family` stream: markdown, the progress numbers appended to one line as the task advances. @param {StreamContext} c */
async function* markdownText({ task, store, sse, fileUrl, previewUrl, variants, closed }) {
	const md = V.MARKDOWN;
	yield md.id(V.withoutPrefix(task.id));
	const note = task.outcome === 'completed' ? V.harmlessLine(variants) : undefined;
	let last = -1;
	while (!closed()) {
		const state = store.stateOf(task);
		const value = state.phase === 'completed' ? 100 : state.progress;
		if (value !== last) yield `${last === -1 ? md.progressStart : md.progressNext}${value}`;
		last = value;
		if (state.phase === 'completed') {
			store.markObserved(task);
			yield `\n${note === undefined ? '' : `> ${note}\n`}${md.preview(previewUrl)}${md.done}${md.play(fileUrl)}`;
			return;
		}
		if (state.phase === 'failed') {
			store.markObserved(task);
			yield `\n${md.failed(V.failureReason(task))}`;
			return;
		}
		await delay(sse.progressIntervalMs);
	}
}

/**
 * The delta.content of each chunk event: one line per event (the document), or the whole text cut into pieces of
 * 1–6 characters (`tokens`, `family`: a line split across events, line breaks inside pieces).
 * @param {StreamContext} c @param {number} seed
 */
async function* contentPieces(c, seed) {
	const text = V.has(c.variants, 'family') ? markdownText(c) : taskLines(c);
	if (!V.tokenPieces(c.variants)) {
		for await (const line of text) yield line.replace(/\n$/, '');
		return;
	}
	const random = seededRandom(seed + 0x70c5);
	/** @type {string[]} code points not sent yet (a piece never splits a character) */
	let pending = [];
	let size = 1 + Math.floor(random() * 6);
	for await (const segment of text) {
		pending.push(...Array.from(segment));
		while (pending.length >= size) {
			yield pending.slice(0, size).join('');
			pending = pending.slice(size);
			size = 1 + Math.floor(random() * 6);
		}
	}
	if (pending.length > 0 && !c.closed()) yield pending.join('');
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {{ task: any, store: any, sse: SseConfig, fileUrl: string, previewUrl: string, seed: number, variants: readonly string[] }} options
 */
async function writeChatStream(res, { task, store, sse, fileUrl, previewUrl, seed, variants }) {
	const random = seededRandom(seed);
	let closed = false;
	res.on('close', () => (closed = true));
	res.socket?.setNoDelay(true);
	res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });

	/** Writes bytes, in random small pieces when asked, so a client sees events split at any byte. @param {string} text */
	const write = async (text) => {
		const bytes = Buffer.from(text, 'utf8');
		if (!(sse.chunkBytes > 0)) return void res.write(bytes);
		for (let at = 0; at < bytes.length && !closed; ) {
			const size = 1 + Math.floor(random() * sse.chunkBytes);
			res.write(bytes.subarray(at, at + size));
			at += size;
			await delay(sse.chunkDelayMs);
		}
	};

	const chatId = `chatcmpl-${task.id.split(':')[1] ?? task.id}`;
	let events = 0;
	const context = { task, store, sse, fileUrl, previewUrl, variants, closed: () => closed };
	for await (const piece of contentPieces(context, seed)) {
		if (sse.errorAfterEvents > 0 && events === sse.errorAfterEvents) {
			await write(encodeEvent(JSON.stringify({ error: { message: 'The upstream video service returned an error (sandbox fault).', type: 'server_error', code: 'upstream_error' } }), sse));
			break;
		}
		if (sse.dropAfterEvents > 0 && events === sse.dropAfterEvents) {
			res.socket?.destroy();
			return;
		}
		await write(encodeEvent(chunkPayload(task.model, piece, chatId), sse));
		events++;
	}
	if (closed) return;
	if (!sse.omitDone) await write(encodeEvent('[DONE]', sse));
	res.end();
}

module.exports = { writeChatStream, encodeEvent };
