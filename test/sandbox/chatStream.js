// @ts-check
// The Server-Sent Events answer of POST /v1/chat/completions, with the faults real networks and proxies add:
// tiny chunks split at any byte, CRLF or CR line endings, comment lines, multi-line data fields, a dropped
// connection, an error event, a missing [DONE].
const { delay } = require('./http');
const { seededRandom } = require('./tasks');

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

/** The lines a task reports, in order, as it runs: task_id, progress: N%, then video_url or a failure. */
async function* taskLines(/** @type {any} */ task, /** @type {any} */ store, /** @type {SseConfig} */ sse, /** @type {string} */ fileUrl, /** @type {() => boolean} */ closed) {
	yield `task_id: ${task.id}`;
	let lastProgress = -1;
	while (!closed()) {
		const state = store.stateOf(task);
		if (state.phase === 'completed') {
			store.markObserved(task);
			yield 'progress: 100%';
			yield `video_url: ${fileUrl}`;
			return;
		}
		if (state.phase === 'failed') {
			store.markObserved(task);
			yield 'Video generation failed: the content was rejected by the safety system ([fail] directive).';
			return;
		}
		if (state.progress !== lastProgress) yield `progress: ${state.progress}%`;
		lastProgress = state.progress;
		await delay(sse.progressIntervalMs);
	}
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {{ task: any, store: any, sse: SseConfig, fileUrl: string, seed: number }} options
 */
async function writeChatStream(res, { task, store, sse, fileUrl, seed }) {
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
	for await (const line of taskLines(task, store, sse, fileUrl, () => closed)) {
		if (sse.errorAfterEvents > 0 && events === sse.errorAfterEvents) {
			await write(encodeEvent(JSON.stringify({ error: { message: 'The upstream video service returned an error (sandbox fault).', type: 'server_error', code: 'upstream_error' } }), sse));
			break;
		}
		if (sse.dropAfterEvents > 0 && events === sse.dropAfterEvents) {
			res.socket?.destroy();
			return;
		}
		await write(encodeEvent(chunkPayload(task.model, line, chatId), sse));
		events++;
	}
	if (closed) return;
	if (!sse.omitDone) await write(encodeEvent('[DONE]', sse));
	res.end();
}

module.exports = { writeChatStream, encodeEvent };
