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
const { createTaskStore } = require('./tasks');
const { validateCreate, validateVideos, validateChat } = require('./validate');
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
			if (config.latencyMs > 0) await delay(config.latencyMs);
			if (!entry.authorized) throw new ApiError(401, 'Invalid API key provided.', { code: 'invalid_api_key' });
			rejectIfRateLimited(entry);
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
		sendJson(res, 200, { id: task.id, status: 'pending', status_update_time: seconds(task.createdAt), enhanced_prompt: task.enhancedPrompt });
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
		const state = store.stateOf(task);
		if (state.phase === 'completed' || state.phase === 'failed') store.markObserved(task);
		sendJson(res, 200, {
			id: task.id,
			status: state.phase,
			video_url: state.phase === 'completed' ? fileUrlOf(task.id) : null,
			enhanced_prompt: task.enhancedPrompt,
			status_update_time: seconds(state.changedAt),
		});
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
		sendJson(res, 200, { id: task.id, object: 'video', model: task.model, status: 'queued', progress: 0, created_at: seconds(task.createdAt), seconds: task.seconds, size: task.size });
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
		sendJson(res, 200, {
			id: task.id,
			object: 'video',
			model: task.model,
			status: /** @type {any} */ (VIDEOS_STATUS)[state.phase],
			progress: state.progress,
			created_at: seconds(task.createdAt),
			seconds: task.seconds,
			size: task.size,
			video_url: state.phase === 'completed' ? fileUrlOf(task.id) : null,
			enhanced_prompt: task.enhancedPrompt,
			status_update_time: seconds(state.changedAt),
		});
	}

	/** @param {import('node:http').ServerResponse} res @param {string} id @param {LoggedRequest} entry */
	function videoContent(res, id, entry) {
		entry.taskId = id;
		const task = videosTask(id);
		const state = store.stateOf(task);
		if (state.phase !== 'completed') throw new ApiError(409, `Video ${id} is not ready: its status is ${VIDEOS_STATUS[/** @type {'pending'} */ (state.phase)]}.`, { code: 'video_not_ready' });
		sendVideo(res, task.id);
	}

	/** @param {import('node:http').ServerResponse} res @param {string} id */
	function sendVideo(res, id) {
		res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': config.videoBytes });
		videoStream(id, config.videoBytes).pipe(res);
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
		if (stream) return await writeChatStream(res, { task, store, sse: config.sse, fileUrl: fileUrlOf(task.id), seed: config.seed });
		// Without stream: true the answer comes when the video is done, as one chat completion.
		let state = store.stateOf(task);
		while (state.phase !== 'completed' && state.phase !== 'failed' && !res.destroyed) {
			await delay(100);
			state = store.stateOf(task);
		}
		const content = state.phase === 'completed' ? `task_id: ${task.id}\nprogress: 100%\nvideo_url: ${fileUrlOf(task.id)}` : `task_id: ${task.id}\nVideo generation failed.`;
		sendJson(res, 200, { id: `chatcmpl-${task.id}`, object: 'chat.completion', model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });
	}

	/** The storage host: no key needed, and a client that sends one anyway is logged (sentAuthorization). */
	/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
	async function handleFile(req, res) {
		const entry = logEntry(req, 'files');
		res.on('close', () => (entry.status = res.writableFinished ? res.statusCode : 0));
		const match = /^\/files\/(.+)\.mp4$/.exec(entry.path);
		const task = match ? store.get(decodeURIComponent(match[1])) : undefined;
		if (req.method !== 'GET' || !task || store.stateOf(task).phase !== 'completed') {
			return sendJson(res, 404, new ApiError(404, 'No such file.').body());
		}
		entry.taskId = task.id;
		sendVideo(res, task.id);
	}

	/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res @param {string} path */
	async function handleAdmin(req, res, path) {
		if (path === '/__sandbox/requests') return sendJson(res, 200, log);
		if (path === '/__sandbox/tasks') return sendJson(res, 200, tasks());
		if (path === '/__sandbox/chat') return sendJson(res, 200, chatCalls);
		if (path === '/__sandbox/reset' && req.method === 'POST') return reset(), sendJson(res, 200, { ok: true });
		if (path === '/__sandbox/config' && req.method === 'POST') {
			configure(JSON.parse((await readBody(req, JSON_LIMIT)).toString('utf8') || '{}'));
			return sendJson(res, 200, publicConfig());
		}
		if (path === '/__sandbox/config') return sendJson(res, 200, publicConfig());
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
		/** The SHA-256 of the video a finished task serves. @param {string} id */
		videoSha256: (id) => videoSha256(id, config.videoBytes),
		close: async () => {
			await Promise.all([api, files].map((server) => new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve(undefined));
			})));
		},
	};
}

/** @param {number} ms */
const seconds = (ms) => Math.floor(ms / 1000);

/** @param {http.Server} server @param {number} port @param {string} host */
function listen(server, port, host) {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => resolve(undefined));
	});
}

module.exports = { startSandbox, DEFAULT_CONFIG };
