// @ts-check
// The task store and its lifecycle. Status is computed from the clock on each read (no timers), so a task's
// timeline is exact and the server holds nothing but data.
const crypto = require('node:crypto');

const { variantTaskId, withoutPrefix, has } = require('./variants');

/**
 * @typedef {'create' | 'videos' | 'chat'} Family
 * @typedef {{
 *   id: string, family: Family, model: string, prompt: string, enhancedPrompt: string, request: unknown,
 *   createdAt: number, durationMs: number, outcome: 'completed' | 'failed' | 'never',
 *   seconds?: number, size?: string, observedDoneAt?: number, seq: number, alias?: string,
 * }} Task
 */

/** Share of a task's time it spends `pending`/`queued` before `processing`/`in_progress`. */
const PENDING_SHARE = 0.1;

/** A small seeded PRNG (mulberry32): the same seed gives the same durations run after run. @param {number} seed */
function seededRandom(seed) {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Prompt directives steer a task: [fail], [never], [duration:2.5] (seconds). @param {string} prompt */
function directivesOf(prompt) {
	const duration = /\[duration:(\d+(?:\.\d+)?)\]/i.exec(prompt);
	return {
		fail: /\[fail\]/i.test(prompt),
		never: /\[never\]/i.test(prompt),
		durationMs: duration ? Number(duration[1]) * 1000 : undefined,
	};
}

const letters = (/** @type {number} */ count) =>
	Array.from(crypto.randomBytes(count), (byte) => String.fromCharCode(97 + (byte % 26))).join('');

/** The document's id shapes, unless a variant (variants.js) gives another. @param {Family} family @param {string} model @param {number} now @param {number} seq @param {readonly string[]} variants */
function newTaskId(family, model, now, seq, variants) {
	const other = variantTaskId(variants, { family, model, now, seq });
	if (other !== undefined) return other;
	if (family === 'videos') return `video_${crypto.randomUUID()}`;
	return `${model}:${String(Math.floor(now / 1000)).padStart(10, '0')}-${letters(8)}`;
}

/** @param {{ now: () => number, config: () => any }} deps */
function createTaskStore({ now, config }) {
	/** @type {Map<string, Task>} */
	const tasks = new Map();
	/** @type {Map<string, string>} the id without its model prefix → the task's id (`family` tasks: the query takes both) */
	const aliases = new Map();
	let random = seededRandom(config().seed);

	/** @param {string} model @param {number | undefined} directed */
	function durationFor(model, directed) {
		if (directed !== undefined) return directed;
		const { durationMs, modelDurationsMs, durationSpread } = config();
		const median = modelDurationsMs?.[model] ?? durationMs;
		return Math.max(0, Math.round(median * (1 + durationSpread * (2 * random() - 1))));
	}

	return {
		/** @param {{ family: Family, model: string, prompt: string, enhance?: boolean, request: unknown, seconds?: number, size?: string }} input */
		create(input) {
			const createdAt = now();
			const directives = directivesOf(input.prompt);
			const variants = config().variant;
			const seq = tasks.size + 1;
			let id = newTaskId(input.family, input.model, createdAt, seq, variants);
			while (tasks.has(id)) id = newTaskId(input.family, input.model, createdAt, seq, variants);
			/** @type {Task} */
			const task = {
				id,
				seq,
				family: input.family,
				model: input.model,
				prompt: input.prompt,
				enhancedPrompt: input.enhance ? `${input.prompt.trim()}, cinematic lighting, smooth camera motion` : input.prompt,
				request: input.request,
				createdAt,
				durationMs: durationFor(input.model, directives.durationMs),
				outcome: directives.never ? 'never' : directives.fail ? 'failed' : 'completed',
				seconds: input.seconds,
				size: input.size,
			};
			tasks.set(task.id, task);
			if (has(variants, 'family') && withoutPrefix(id) !== id) aliases.set((task.alias = withoutPrefix(id)), id);
			return task;
		},
		/** A task by its id (or, for a `family` task, its id without the model prefix). @param {string} id */
		get: (id) => tasks.get(id) ?? tasks.get(aliases.get(id) ?? ''),
		all: () => [...tasks.values()],
		reset() {
			tasks.clear();
			aliases.clear();
			random = seededRandom(config().seed);
		},
		/** Where a task is now: phase, progress 0–100, when its status last changed, and its age. @param {Task} task */
		stateOf(task) {
			const elapsed = now() - task.createdAt;
			const doneAt = task.createdAt + task.durationMs;
			if (task.outcome !== 'never' && elapsed >= task.durationMs) {
				return { phase: task.outcome, progress: task.outcome === 'completed' ? 100 : Math.min(99, progress(task, elapsed)), changedAt: doneAt, elapsed };
			}
			const pendingFor = task.durationMs * PENDING_SHARE;
			if (elapsed < pendingFor && task.outcome !== 'never') return { phase: 'pending', progress: 0, changedAt: task.createdAt, elapsed };
			return { phase: 'processing', progress: progress(task, elapsed), changedAt: task.createdAt + pendingFor, elapsed };
		},
		/** The first time a client saw a task's final status (the benchmark's detection latency). @param {Task} task */
		markObserved(task) {
			if (task.observedDoneAt === undefined) task.observedDoneAt = now();
		},
	};
}

/** @param {Task} task @param {number} elapsed */
function progress(task, elapsed) {
	if (task.outcome === 'never') return Math.min(95, Math.floor(elapsed / 1000));
	return Math.max(0, Math.min(99, Math.floor((elapsed / Math.max(task.durationMs, 1)) * 100)));
}

module.exports = { createTaskStore, directivesOf, seededRandom, PENDING_SHARE };
