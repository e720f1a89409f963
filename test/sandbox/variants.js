// @ts-check
// Variants: other plausible shapes of the real API, for tests that check the nodes tolerate them. The document only
// shows examples, so the real service may differ; each variant changes the answers one way. The default (no variant)
// answers exactly in the document's example shapes. Every variant is defined here (VARIANTS); the response builders in
// index.js, chatStream.js and tasks.js ask the helpers below, which do nothing when no variant is on.
const crypto = require('node:crypto');

/**
 * Every variant: what it changes, and whose behaviour it is (the document's examples never show any of these; each
 * is the sandbox's own choice of a plausible real shape, `family` the one a real family of gateways publishes).
 * @type {Record<string, { changes: string, description: string }>}
 */
const VARIANTS = {
	tokens: {
		changes: 'Sora chat stream: delta.content in pieces of 1-6 characters (seeded), a line split across events, line breaks inside pieces',
		description: "Sandbox's own choice (the document shows one whole line per event): LLM-style token streaming.",
	},
	'failure-words': {
		changes: 'a failed status is error / cancelled / expired / rejected / failure (per task); the stream failure line starts with "Error:"; a completing stream sends one line that mentions "error" and "fail" inside it',
		description: "Sandbox's own choice (the document names only `failed`): other failure words a client must also read as failed.",
	},
	'opaque-ids': {
		changes: 'create and stream ids without a model prefix (task_<26 base32> or, every other task, a number); /v1/videos ids video_<16 hex>',
		description: "Sandbox's own choice (the document shows model:digits-letters and video_<uuid>): ids of other shapes.",
	},
	'upper-case': {
		changes: 'every status word in upper case (PENDING, PROCESSING, COMPLETED, FAILED, QUEUED, IN_PROGRESS)',
		description: "Sandbox's own choice (the document's words are lower case).",
	},
	sparse: {
		changes: 'no status_update_time, created_at, progress, enhanced_prompt; video_url absent (not null) until there is one',
		description: "Sandbox's own choice (the document shows these fields in every example): optional fields left out.",
	},
	strings: {
		changes: 'numbers as strings: progress, status_update_time, created_at, seconds',
		description: "Sandbox's own choice (the document's examples have numbers).",
	},
	family: {
		changes: '/v1/video/query walks pending, image_downloading, video_generating, video_generation_completed, (video_upsampling, video_upsampling_completed,) completed; *_failed; detail{}; times in ms; query id without model prefix; Sora stream in markdown token pieces; /v1/videos times in ms',
		description: 'Not the document: what the "unified video" gateway family (new-api forks, mj-studio) answers.',
	},
};

const NAMES = Object.keys(VARIANTS);

/** The active variants, from a name, a comma-separated string or an array; an unknown name is an error. @param {unknown} value */
function parseVariants(value) {
	if (value === undefined || value === null || value === '') return [];
	const names = (Array.isArray(value) ? value : String(value).split(','))
		.flatMap((name) => String(name).split(','))
		.map((name) => name.trim())
		.filter((name) => name !== '' && name !== 'document');
	for (const name of names) {
		if (!NAMES.includes(name)) throw new RangeError(`unknown sandbox variant "${name}" (known: ${NAMES.join(', ')})`);
	}
	return NAMES.filter((name) => names.includes(name));
}

/** @param {readonly string[] | undefined} active @param {string} name */
const has = (active, name) => (active ?? []).includes(name);

// --- ids ------------------------------------------------------------------------------------------------------------

const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (/** @type {string} */ alphabet, /** @type {number} */ count) =>
	Array.from(crypto.randomBytes(count), (byte) => alphabet[byte % alphabet.length]).join('');

/** A ULID-like `task_` id: 10 base32 characters of the time in ms, 16 random ones. @param {number} now */
function ulidTaskId(now) {
	let time = '';
	for (let rest = Math.floor(now), i = 0; i < 10; i++, rest = Math.floor(rest / 32)) time = BASE32[rest % 32] + time;
	return `task_${time}${pick(BASE32, 16)}`;
}

/**
 * The id of a new task under the active variants, or undefined for the document's shape.
 * @param {readonly string[]} active @param {{ family: string, model: string, now: number, seq: number }} task
 */
function variantTaskId(active, { family, model, now, seq }) {
	if (has(active, 'opaque-ids')) {
		if (family === 'videos') return `video_${crypto.randomBytes(8).toString('hex')}`;
		return seq % 2 === 1 ? ulidTaskId(now) : String(10_000_000 + crypto.randomInt(90_000_000));
	}
	if (has(active, 'family') && family !== 'videos') {
		if (model.startsWith('sora')) return `${model}:${ulidTaskId(now)}`;
		return `${model}:${String(Math.floor(now / 1000)).padStart(10, '0')}-${pick(ALNUM, 10)}`;
	}
	return undefined;
}

/** The id without its `model:` prefix (under `family`, the query answers it and the stream shows it). @param {string} id */
const withoutPrefix = (id) => (id.includes(':') ? id.slice(id.indexOf(':') + 1) : id);

/** The id /v1/video/query answers with. @param {readonly string[]} active @param {string} id */
const queryIdOf = (active, id) => (has(active, 'family') ? withoutPrefix(id) : id);

// --- statuses -------------------------------------------------------------------------------------------------------

const FAILURE_WORDS = ['error', 'cancelled', 'expired', 'rejected', 'failure'];

/** The status word a client sees, from the document's word. @param {readonly string[]} active @param {{ seq: number }} task @param {string} word */
function statusWord(active, task, word) {
	let status = word;
	if (status === 'failed' && has(active, 'failure-words')) status = FAILURE_WORDS[task.seq % FAILURE_WORDS.length];
	return has(active, 'upper-case') ? status.toUpperCase() : status;
}

/** @param {any} request */
const asksUpsample = (request) => Boolean(request && request.enable_upsample === true);
/** @param {any} request */
const hasImages = (request) => Boolean(request && Array.isArray(request.images) && request.images.length > 0);

/** The `family` walk of a task that ends `outcome`, in order, before its final status. @param {any} task */
function familyStages(task) {
	const upsample = asksUpsample(task.request);
	const stages = ['pending'];
	if (hasImages(task.request)) stages.push('image_downloading');
	stages.push('video_generating');
	if (task.outcome === 'completed' || upsample) stages.push('video_generation_completed');
	if (upsample) stages.push('video_upsampling');
	if (upsample && task.outcome === 'completed') stages.push('video_upsampling_completed');
	return stages;
}

/**
 * Where a task stands in the `family` walk: its word and when it got there. The pending share is the document
 * lifecycle's; the other stages share the rest of the task's time equally.
 * @param {any} task @param {{ phase: string, elapsed: number, changedAt: number }} state @param {number} pendingShare
 */
function familyStage(task, state, pendingShare) {
	const upsample = asksUpsample(task.request);
	if (state.phase === 'completed') return { word: 'completed', changedAt: state.changedAt };
	if (state.phase === 'failed') return { word: upsample ? 'video_upsampling_failed' : 'video_generation_failed', changedAt: state.changedAt };
	if (task.outcome === 'never') return { word: 'video_generating', changedAt: state.changedAt };
	const stages = familyStages(task);
	const pendingFor = task.durationMs * pendingShare;
	if (state.elapsed < pendingFor) return { word: 'pending', changedAt: task.createdAt };
	const each = (task.durationMs - pendingFor) / (stages.length - 1);
	const index = Math.min(stages.length - 1, 1 + Math.floor((state.elapsed - pendingFor) / Math.max(each, 1e-9)));
	return { word: stages[index], changedAt: Math.round(task.createdAt + pendingFor + (index - 1) * each) };
}

/** The `family` answer's `detail`: a failure reason, the upsampled file, and a leftover error message. */
function familyDetail(/** @type {any} */ task, /** @type {{ phase: string }} */ state, /** @type {string} */ upsampledUrl) {
	if (state.phase === 'failed') return { video_generation_error: failureReason(task) };
	if (state.phase !== 'completed') return {};
	return { error_message: 'retry 1 failed', ...(asksUpsample(task.request) ? { upsample_video_url: upsampledUrl } : {}) };
}

/** Why a [fail] task failed (one wording everywhere). @param {any} task */
const failureReason = (task) =>
	asksUpsample(task.request) ? 'upsampling failed: the upscaler rejected the video ([fail] directive)' : 'the content was rejected by the safety system ([fail] directive)';

// --- numbers, times, optional fields --------------------------------------------------------------------------------

/** A time as answered: seconds (the document) or milliseconds (`family`). @param {readonly string[]} active @param {number} ms */
const timeOf = (active, ms) => (has(active, 'family') ? Math.round(ms) : Math.floor(ms / 1000));

const OPTIONAL = ['status_update_time', 'created_at', 'progress', 'enhanced_prompt'];
const NUMBERS = ['progress', 'status_update_time', 'created_at', 'seconds'];

/** An answer body reshaped by `sparse` and `strings` (the same object when neither is on). @param {readonly string[]} active @param {Record<string, unknown>} body */
function shapeAnswer(active, body) {
	if (!has(active, 'sparse') && !has(active, 'strings')) return body;
	/** @type {Record<string, unknown>} */
	const shaped = {};
	for (const [key, value] of Object.entries(body)) {
		if (has(active, 'sparse') && (OPTIONAL.includes(key) || (key === 'video_url' && value === null))) continue;
		shaped[key] = has(active, 'strings') && NUMBERS.includes(key) && typeof value === 'number' ? String(value) : value;
	}
	return shaped;
}

// --- the Sora chat stream -------------------------------------------------------------------------------------------

/** Whether the stream's content goes in token-sized pieces rather than one line per event. @param {readonly string[]} active */
const tokenPieces = (active) => has(active, 'tokens') || has(active, 'family');

/** The line that says a task failed, in the `key: value` stream. @param {readonly string[]} active @param {any} task */
const streamFailureLine = (active, task) => `${has(active, 'failure-words') ? 'Error' : 'Video generation failed'}: ${failureReason(task)}.`;

/** A harmless line of a completing task under `failure-words` ("error" and "fail" inside, not at the start), or none. */
const harmlessLine = (/** @type {readonly string[]} */ active) =>
	has(active, 'failure-words') ? 'progress note: retrying a failed upload, no error for you' : undefined;

/** The markdown pieces of the `family` Sora stream. */
const MARKDOWN = {
	id: (/** @type {string} */ id) => `> ID: \`${id}\`\n`,
	progressStart: '> 🏃 进度 ',
	progressNext: '..',
	preview: (/** @type {string} */ url) => `[预览](${url})\n`,
	done: '> 生成完成 ✅\n',
	play: (/** @type {string} */ url) => `[在线播放▶️](${url})\n`,
	failed: (/** @type {string} */ reason) => `> ❌ 生成失败：${reason}\n`,
};

/** The list GET /__sandbox/variants answers. @param {readonly string[]} active */
const describeVariants = (active) => NAMES.map((name) => ({ name, active: has(active, name), ...VARIANTS[name] }));

module.exports = {
	VARIANTS,
	parseVariants,
	has,
	variantTaskId,
	withoutPrefix,
	queryIdOf,
	statusWord,
	familyStage,
	familyDetail,
	failureReason,
	asksUpsample,
	timeOf,
	shapeAnswer,
	tokenPieces,
	streamFailureLine,
	harmlessLine,
	MARKDOWN,
	describeVariants,
};
