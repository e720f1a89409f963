// @ts-check
// The Apertis sandbox server: every endpoint of the Apertis Video API document on 127.0.0.1, strict about what it
// accepts, with a task lifecycle, streamed video files, the Sora chat SSE stream, fault injection and a request
// log for tests. Finished videos are served from a second port, as a storage host on another origin would be.
const http = require('node:http');
const crypto = require('node:crypto');

const { ApiError } = require('./apiError');
const { DEFAULT_CONFIG, mergeConfig } = require('./config');
const { writeChatStream } = require('./chatStream');
const { readBody, readJson, sendJson, delay } = require('./http');
const { ALL_MODEL_IDS } = require('./models');
const { parseMultipart } = require('./multipart');
const { answerScriptedChat } = require('./scriptedChat');
const { createTaskStore, PENDING_SHARE } = require('./tasks');
const { validateCreate, validateVideos, validateChat } = require('./validate');
const V = require('./variants');
const { videoStream, videoSha256 } = require('./videoBytes');

const JSON_LIMIT = 1024 * 1024;
const MULTIPART_LIMIT = 25 * 1024 * 1024;

/**
 * @typedef {{ seq: number, at: number, server: 'api' | 'files', method: string, path: string, query: Record<string, string>,
 *   authorized: boolean, sentAuthorization: boolean, contentType?: string, body?: unknown, status: number,
 *   taskId?: string, fault?: string }} LoggedRequest
 */

/** @param {Record<string, unknown>} [options] */
async function startSandbox(options = {}) {
	const { port = 0, host = '127.0.0.1', filesPort = 0, ...patch } = options;
	let config = mergeConfig(DEFAULT_CONFIG, patch);
	const store = createTaskStore({ now: Date.now, config: () => config });
	/** @type {LoggedRequest[]} */
	let log = [];
	let counters = { api: 0, polls: 0, creates: 0, created: 0 };
	/** @type {import('./scriptedChat').ChatCall[]} the scripted model's conversations */
	let chatCalls = [];
	/** @type {number[]} start times of accepted requests within the last second */
	let recent = [];

	const api = http.createServer((req, res) => void handleApi(req, res));
	const files = http.createServer((req, res) => void handleFile(req, res));
	await listen(api, Number(port), String(host));
	await listen(files, Number(filesPort), String(host));
	const url = `http://${host}:${/** @type {any} */ (api.address()).port}`;
	const filesUrl = `http://${host}:${/** @type {any} */ (files.address()).port}`;
	const fileUrlOf = (/** @type {string} */ id) => `${filesUrl}/files/${encodeURIComponent(id)}.mp4`;
	/** Under `family`: the upsampled file of a task that asked enable_upsample, and the preview page its stream links. */
	const upsampledUrlOf = (/** @type {string} */ id) => `${filesUrl}/files/${encodeURIComponent(id)}-upsampled.mp4`;
	const previewUrlOf = (/** @type {string} */ id) => `${filesUrl}/preview/${encodeURIComponent(id)}`;

	/** @param {import('node:http').IncomingMessage} req @param {'api' | 'files'} server */
	function logEntry(req, server) {
		const parsed = new URL(req.url ?? '/', url);
		const authorization = req.headers.authorization;
		/** @type {LoggedRequest} */
		const entry = {
			seq: log.length + 1,
			at: Date.now(),
			server,
			method: req.method ?? 'GET',
			path: parsed.pathname,
			query: Object.fromEntries(parsed.searchParams),
			authorized: authorization === `Bearer ${config.apiKey}`,
			sentAuthorization: authorization !== undefined,
			contentType: req.headers['content-type'],
			status: 0,
		};
		log.push(entry);
		return entry;
	}

	/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
	async function handleApi(req, res) {
		const parsed = new URL(req.url ?? '/', url);
		if (parsed.pathname.startsWith('/__sandbox/')) return void (await handleAdmin(req, res, parsed.pathname));
		const entry = logEntry(req, 'api');
		res.on('close', () => {
			if (!res.writableFinished && !entry.fault) entry.fault = 'dropped';
			entry.status = res.writableFinished ? res.statusCode : 0;
		});
		try {
			// A gateway answers a wrong key and a rate limit at its door; the latency is the service's round trip.
			if (!entry.authorized) throw new ApiError(401, 'Invalid API key provided.', { code: 'invalid_api_key' });
			rejectIfRateLimited(entry);
			if (config.latencyMs > 0) await delay(config.latencyMs);
			await route(req, res, parsed, entry);
		} catch (error) {
			if (res.headersSent) return void res.destroy();
			if (!(error instanceof ApiError)) {
				console.error('sandbox: internal error', error);
				return sendJson(res, 500, new ApiError(500, 'Internal server error').body());
			}
			sendJson(res, error.status, error.body(), error.headers);
		}
	}

	/** @param {LoggedRequest} entry */
	function rejectIfRateLimited(entry) {
		counters.api++;
		const retryAfter = { 'retry-after': String(config.retryAfterSeconds) };
		if (config.rateLimitEvery > 0 && counters.api % config.rateLimitEvery === 0) {
			entry.fault = 'rateLimitEvery';
			throw new ApiError(429, 'Rate limit reached for requests. Please retry after a short wait.', { code: 'rate_limit_exceeded', headers: retryAfter });
		}
		if (config.requestsPerSecond > 0) {
			const now = Date.now();
			recent = recent.filter((at) => now - at < 1000);
			if (recent.length >= config.requestsPerSecond) {
				entry.fault = 'requestsPerSecond';
				const wait = Math.max(1, Math.ceil((recent[0] + 1000 - now) / 1000));
				throw new ApiError(429, `Rate limit of ${config.requestsPerSecond} requests per second reached.`, { code: 'rate_limit_exceeded', headers: { 'retry-after': String(wait) } });
			}
			recent.push(now);
		}
	}

	/**
	 * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
	 * @param {URL} parsed @param {LoggedRequest} entry
	 */
	async function route(req, res, parsed, entry) {
		const path = parsed.pathname;
		const method = req.method ?? 'GET';
		const allow = (/** @type {string} */ expected) => {
			if (method !== expected) throw new ApiError(405, `Method ${method} is not allowed on ${path}.`, { headers: { allow: expected } });
		};
		if (path === '/v1/models') return allow('GET'), listModels(res);
		if (path === '/v1/video/create') return allow('POST'), await createVideo(req, res, entry);
		if (path === '/v1/video/query') return allow('GET'), queryVideo(res, parsed, entry);
		if (path === '/v1/videos') return allow('POST'), await createFromImage(req, res, entry);
		if (path === '/v1/chat/completions') return allow('POST'), await chat(req, res, entry);
		const content = /^\/v1\/videos\/([^/]+)\/content$/.exec(path);
		if (content) return allow('GET'), videoContent(res, decodeURIComponent(content[1]), entry);
		const video = /^\/v1\/videos\/([^/]+)$/.exec(path);
		if (video) return allow('GET'), getVideo(res, decodeURIComponent(video[1]), entry);
		throw new ApiError(404, `Unknown endpoint: ${method} ${path}`, { code: 'unknown_url' });
	}

	/** @param {import('node:http').ServerResponse} res */
	function listModels(res) {
		sendJson(res, 200, { object: 'list', data: ALL_MODEL_IDS.map((id) => ({ id, object: 'model', created: 1704067200, owned_by: 'apertis' })) });
	}

	/** Quota, and the fault of a create that is accepted but answered with a 500. @param {LoggedRequest} entry */
	function chargeCreate(entry) {
		if (config.quota !== null && counters.created >= config.quota) {
			throw new ApiError(402, 'Insufficient quota: your balance does not cover this request.', { code: 'insufficient_quota' });
		}
		counters.creates++;
		counters.created++;
		return config.createServerErrorEvery > 0 && counters.creates % config.createServerErrorEvery === 0
			? () => {
					entry.fault = 'createServerErrorEvery';
					throw new ApiError(500, 'Internal server error while creating the task.');
				}
			: () => {};
	}

	/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {LoggedRequest} entry */
	async function createVideo(req, res, entry) {
		const body = await readJson(req, JSON_LIMIT);
		entry.body = body;
		validateCreate(body);
		const afterCreate = chargeCreate(entry);
		const task = store.create({ family: 'create', model: body.model, prompt: body.prompt, enhance: body.enhance_prompt === true, request: body });
		entry.taskId = task.id;
		afterCreate();
		const v = config.variant;
		sendJson(res, 200, V.shapeAnswer(v, { id: task.id, status: V.statusWord(v, task, 'pending'), status_update_time: V.timeOf(v, task.createdAt), enhanced_prompt: task.enhancedPrompt }));
	}

	/** Faults of a status poll: a 500 or a dropped connection. @param {import('node:http').ServerResponse} res @param {LoggedRequest} entry */
	function pollFault(res, entry) {
		counters.polls++;
		if (config.dropConnectionEvery > 0 && counters.polls % config.dropConnectionEvery === 0) {
			entry.fault = 'dropConnectionEvery';
			res.socket?.destroy();
			return true;
		}
		if (config.serverErrorEvery > 0 && counters.polls % config.serverErrorEvery === 0) {
			entry.fault = 'serverErrorEvery';
			throw new ApiError(500, 'Internal server error.');
		}
		return false;
	}

	/** @param {import('node:http').ServerResponse} res @param {URL} parsed @param {LoggedRequest} entry */
	function queryVideo(res, parsed, entry) {
		const id = parsed.searchParams.get('id');
		if (!id) throw new ApiError(400, "Missing required query parameter: 'id'.", { param: 'id', code: 'invalid_parameter' });
		entry.taskId = id;
		if (pollFault(res, entry)) return;
		const task = store.get(id);
		if (!task || task.family === 'videos') throw new ApiError(404, `Task not found: ${id}`, { code: 'task_not_found' });
		entry.taskId = task.id;
		const state = store.stateOf(task);
		if (state.phase === 'completed' || state.phase === 'failed') store.markObserved(task);
		sendJson(res, 200, queryAnswer(task, state));
	}

	/** The /v1/video/query answer: the document's example shape, changed by the active variants. @param {any} task @param {any} state */
	function queryAnswer(task, state) {
		const v = config.variant;
		const stage = V.has(v, 'family') ? V.familyStage(task, state, PENDING_SHARE) : undefined;
		/** @type {Record<string, unknown>} */
		const body = {
			id: V.queryIdOf(v, task.id),
			status: V.statusWord(v, task, stage ? stage.word : state.phase),
			video_url: state.phase === 'completed' ? fileUrlOf(task.id) : null,
			enhanced_prompt: task.enhancedPrompt,
			status_update_time: V.timeOf(v, stage ? stage.changedAt : state.changedAt),
		};
		if (stage) body.detail = V.familyDetail(task, state, upsampledUrlOf(task.id));
		return V.shapeAnswer(v, body);
	}

	/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {LoggedRequest} entry */
	async function createFromImage(req, res, entry) {
		const raw = await readBody(req, MULTIPART_LIMIT);
		const { fields, files: parts } = parseMultipart(raw, req.headers['content-type']);
		entry.body = {
			fields,
			files: parts.map((part) => ({
				field: part.field,
				filename: part.filename,
				contentType: part.contentType,
				size: part.data.length,
				sha256: crypto.createHash('sha256').update(part.data).digest('hex'),
			})),
		};
		const valid = validateVideos(fields, parts);
		const afterCreate = chargeCreate(entry);
		const task = store.create({ family: 'videos', model: valid.model, prompt: fields.prompt, request: entry.body, seconds: valid.seconds, size: valid.size });
		entry.taskId = task.id;
		afterCreate();
		const v = config.variant;
		const status = V.statusWord(v, task, 'queued');
		sendJson(res, 200, V.shapeAnswer(v, { id: task.id, object: 'video', model: task.model, status, progress: 0, created_at: V.timeOf(v, task.createdAt), seconds: task.seconds, size: task.size }));
	}

	/** @param {string} id */
	function videosTask(id) {
		const task = store.get(id);
		if (!task || task.family !== 'videos') throw new ApiError(404, `Video not found: ${id}`, { code: 'video_not_found' });
		return task;
	}

	const VIDEOS_STATUS = { pending: 'queued', processing: 'in_progress', completed: 'completed', failed: 'failed' };

	/** @param {import('node:http').ServerResponse} res @param {string} id @param {LoggedRequest} entry */
	function getVideo(res, id, entry) {
		entry.taskId = id;
		if (pollFault(res, entry)) return;
		const task = videosTask(id);
		const state = store.stateOf(task);
		if (state.phase === 'completed' || state.phase === 'failed') store.markObserved(task);
		const v = config.variant;
		sendJson(res, 200, V.shapeAnswer(v, {
			id: task.id,
			object: 'video',
			model: task.model,
			status: V.statusWord(v, task, /** @type {any} */ (VIDEOS_STATUS)[state.phase]),
			progress: state.progress,
			created_at: V.timeOf(v, task.createdAt),
			seconds: task.seconds,
			size: task.size,
			video_url: state.phase === 'completed' ? fileUrlOf(task.id) : null,
			enhanced_prompt: task.enhancedPrompt,
			status_update_time: V.timeOf(v, state.changedAt),
		}));
	}

	/** @param {import('node:http').ServerResponse} res @param {string} id @param {LoggedRequest} entry */
	function videoContent(res, id, entry) {
		entry.taskId = id;
		const task = videosTask(id);
		const state = store.stateOf(task);
		if (state.phase !== 'completed') throw new ApiError(409, `Video ${id} is not ready: its status is ${VIDEOS_STATUS[/** @type {'pending'} */ (state.phase)]}.`, { code: 'video_not_ready' });
		sendVideo(res, task.id);
	}

	/** The bytes of a task's video, or of its upsampled one (`family`), which differ. @param {string} id @param {boolean} [upsampled] */
	const videoKey = (id, upsampled = false) => (upsampled ? `${id}#upsampled` : id);

	/** @param {import('node:http').ServerResponse} res @param {string} id @param {boolean} [upsampled] */
	function sendVideo(res, id, upsampled = false) {
		res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': config.videoBytes });
		videoStream(videoKey(id, upsampled), config.videoBytes).pipe(res);
	}

	/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {LoggedRequest} entry */
	async function chat(req, res, entry) {
		const body = await readJson(req, JSON_LIMIT);
		entry.body = body;
		if (body && typeof body === 'object' && body.model === config.chatScriptModel) {
			const { answer, call } = answerScriptedChat(body, config.chatScript);
			chatCalls.push({ seq: entry.seq, at: entry.at, ...call });
			return sendJson(res, 200, answer);
		}
		const { model, prompt, stream } = validateChat(body);
		const afterCreate = chargeCreate(entry);
		const task = store.create({ family: 'chat', model, prompt, request: body });
		entry.taskId = task.id;
		afterCreate();
		const urls = { fileUrl: fileUrlOf(task.id), previewUrl: previewUrlOf(task.id) };
		if (stream) return await writeChatStream(res, { task, store, sse: config.sse, ...urls, seed: config.seed, variants: config.variant });
		// Without stream: true the answer comes when the video is done, as one chat completion.
		let state = store.stateOf(task);
		while (state.phase !== 'completed' && state.phase !== 'failed' && !res.destroyed) {
			await delay(100);
			state = store.stateOf(task);
		}
		const content = wholeChatContent(task, state.phase === 'completed', urls);
		sendJson(res, 200, { id: `chatcmpl-${task.id}`, object: 'chat.completion', model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });
	}

	/** The content of a chat answer without stream: true. @param {any} task @param {boolean} completed @param {{ fileUrl: string, previewUrl: string }} urls */
	function wholeChatContent(task, completed, urls) {
		const v = config.variant;
		if (V.has(v, 'family')) {
			const head = `${V.MARKDOWN.id(V.withoutPrefix(task.id))}${V.MARKDOWN.progressStart}100\n`;
			return completed ? `${head}${V.MARKDOWN.preview(urls.previewUrl)}${V.MARKDOWN.done}${V.MARKDOWN.play(urls.fileUrl)}` : `${head}${V.MARKDOWN.failed(V.failureReason(task))}`;
		}
		if (completed) return `task_id: ${task.id}\nprogress: 100%\nvideo_url: ${urls.fileUrl}`;
		return `task_id: ${task.id}\n${V.has(v, 'failure-words') ? V.streamFailureLine(v, task) : 'Video generation failed.'}`;
	}

	/** The storage host: no key needed, and a client that sends one anyway is logged (sentAuthorization). */
	/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
	async function handleFile(req, res) {
		const entry = logEntry(req, 'files');
		res.on('close', () => (entry.status = res.writableFinished ? res.statusCode : 0));
		const file = fileOf(entry.path);
		const task = file ? store.get(file.id) : undefined;
		const ready = task && (file?.kind === 'preview' || store.stateOf(task).phase === 'completed');
		if (req.method !== 'GET' || !task || !ready || (file?.kind === 'upsampled' && !V.asksUpsample(task.request))) {
			return sendJson(res, 404, new ApiError(404, 'No such file.').body());
		}
		entry.taskId = task.id;
		if (file?.kind === 'preview') return sendPreview(res, task);
		sendVideo(res, task.id, file?.kind === 'upsampled');
	}

	/** What a files-server path names: /files/<id>.mp4, /files/<id>-upsampled.mp4 or /preview/<id> (`family`). @param {string} path */
	function fileOf(path) {
		const preview = /^\/preview\/([^/]+)$/.exec(path);
		if (preview) return { kind: 'preview', id: decodeURIComponent(preview[1]) };
		const upsampled = /^\/files\/(.+)-upsampled\.mp4$/.exec(path);
		if (upsampled && store.get(decodeURIComponent(upsampled[1]))) return { kind: 'upsampled', id: decodeURIComponent(upsampled[1]) };
		const video = /^\/files\/(.+)\.mp4$/.exec(path);
		return video ? { kind: 'video', id: decodeURIComponent(video[1]) } : undefined;
	}

	/** The small HTML page a `family` stream's preview link opens (not a video). @param {import('node:http').ServerResponse} res @param {any} task */
	function sendPreview(res, task) {
		const html = `<!doctype html><html><head><meta charset="utf-8"><title>Preview ${task.id}</title></head><body><p>Preview of ${task.id}</p></body></html>`;
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
		res.end(html);
	}

	/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {string} path */
	async function handleAdmin(req, res, path) {
		if (path === '/__sandbox/requests') return sendJson(res, 200, log);
		if (path === '/__sandbox/tasks') return sendJson(res, 200, tasks());
		if (path === '/__sandbox/chat') return sendJson(res, 200, chatCalls);
		if (path === '/__sandbox/reset' && req.method === 'POST') return reset(), sendJson(res, 200, { ok: true });
		if (path === '/__sandbox/config' && req.method === 'POST') {
			try {
				configure(JSON.parse((await readBody(req, JSON_LIMIT)).toString('utf8') || '{}'));
			} catch (error) {
				return sendJson(res, 400, new ApiError(400, `Bad sandbox config: ${/** @type {Error} */ (error).message}`).body());
			}
			return sendJson(res, 200, publicConfig());
		}
		if (path === '/__sandbox/config') return sendJson(res, 200, publicConfig());
		if (path === '/__sandbox/variants') return sendJson(res, 200, V.describeVariants(config.variant));
		sendJson(res, 404, new ApiError(404, 'Unknown sandbox admin endpoint.').body());
	}

	function tasks() {
		return store.all().map((task) => ({
			id: task.id,
			family: task.family,
			model: task.model,
			prompt: task.prompt,
			status: store.stateOf(task).phase,
			createdAt: task.createdAt,
			durationMs: task.durationMs,
			outcome: task.outcome,
			doneAt: task.outcome === 'never' ? null : task.createdAt + task.durationMs,
			observedDoneAt: task.observedDoneAt ?? null,
		}));
	}

	function reset() {
		log = [];
		chatCalls = [];
		counters = { api: 0, polls: 0, creates: 0, created: 0 };
		recent = [];
		store.reset();
	}

	/** @param {Record<string, unknown>} patch */
	function configure(patch) {
		config = mergeConfig(config, patch);
	}

	const publicConfig = () => ({ ...config, apiKey: undefined });

	return {
		url,
		filesUrl,
		port: /** @type {any} */ (api.address()).port,
		apiKey: config.apiKey,
		requests: () => log.slice(),
		/** The scripted model's calls: tools offered, messages, tool results sent back, the answer. */
		chatCalls: () => chatCalls.slice(),
		tasks,
		reset,
		configure,
		config: publicConfig,
		/**
		 * The SHA-256 of the video a finished task serves (its id as created or, for a `family` task, without the prefix);
		 * 'upsampled': of the file at a `family` task's detail.upsample_video_url.
		 * @param {string} id @param {'video' | 'upsampled'} [which]
		 */
		videoSha256: (id, which = 'video') => videoSha256(videoKey(store.get(id)?.id ?? id, which === 'upsampled'), config.videoBytes),
		close: async () => {
			await Promise.all([api, files].map((server) => new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve(undefined));
			})));
		},
	};
}

/** @param {http.Server} server @param {number} port @param {string} host */
function listen(server, port, host) {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => resolve(undefined));
	});
}

module.exports = { startSandbox, DEFAULT_CONFIG };
