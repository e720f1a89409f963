// @ts-check
// Timing and fault injection. Every option can be given to startSandbox(), changed later with configure(), or
// posted to /__sandbox/config.
const { parseVariants } = require('./variants');

const DEFAULT_CONFIG = {
	apiKey: 'sk-sandbox-key',
	/** How long a task takes, unless its prompt says [duration:N] or modelDurationsMs names its model. */
	durationMs: 3000,
	/** @type {Record<string, number>} */
	modelDurationsMs: {},
	/** ±share by which durations vary around their median (0.25 = ±25 %), seeded. */
	durationSpread: 0,
	seed: 1,
	/** Other plausible shapes of the real API (variants.js): a name, "a,b" or an array; [] = the document's examples. @type {string[]} */
	variant: [],
	/** The service's round trip: how long an accepted API request waits before it is handled (a 401 or 429 answers at once). */
	latencyMs: 0,
	/** Every Nth API request answers 429 with Retry-After: retryAfterSeconds. */
	rateLimitEvery: 0,
	retryAfterSeconds: 1,
	/** More than this many API requests within one second answer 429 (0 = no limit). */
	requestsPerSecond: 0,
	/** Every Nth status poll (/v1/video/query, /v1/videos/{id}) answers 500. */
	serverErrorEvery: 0,
	/** Every Nth status poll has its connection destroyed without an answer. */
	dropConnectionEvery: 0,
	/** Every Nth create answers 500 AFTER the task was created: a client that retries pays twice. */
	createServerErrorEvery: 0,
	/** How many tasks may be created before 402 (null = unlimited). @type {number | null} */
	quota: null,
	/** The scripted chat model (non-streaming /v1/chat/completions with this model answers from chatScript). */
	chatScriptModel: 'sandbox-agent',
	/** Turns of the scripted model: { toolCalls: [{ tool, arguments }] } or { text } (see scriptedChat.js). @type {any[]} */
	chatScript: [],
	/** Size of every finished video in bytes. */
	videoBytes: 256 * 1024,
	sse: {
		progressIntervalMs: 250,
		/** > 0: every write is cut into random pieces of 1..chunkBytes bytes. */
		chunkBytes: 0,
		chunkDelayMs: 0,
		lineEnding: '\n',
		comments: false,
		multiLineData: false,
		/** > 0: the connection is destroyed after this many events. */
		dropAfterEvents: 0,
		omitDone: false,
		/** > 0: an error event is sent after this many events, and the stream ends. */
		errorAfterEvents: 0,
	},
};

/** @param {any} base @param {any} patch */
function mergeConfig(base, patch) {
	const { sse, ...rest } = patch ?? {};
	if ('variant' in rest) rest.variant = parseVariants(rest.variant);
	return { ...base, ...rest, sse: { ...base.sse, ...(sse ?? {}) } };
}

module.exports = { DEFAULT_CONFIG, mergeConfig };
