// @ts-check
// What the conformance check saw, against what the nodes expect (the API document's example shapes), and which of the
// sandbox's variants (test/sandbox/variants.js) the answers match: the same names work for `npm run sandbox --
// --variant …`, so a real key's shapes can be replayed without spending anything.
'use strict';
const { VARIANTS } = require('../../test/sandbox/variants');

/**
 * @typedef {'completed' | 'failed' | 'running'} FinalState
 * @typedef {{ answer?: any, polls: any[] }} TaskSeen  the create answer and every poll answer (parsed JSON)
 * @typedef {{ pieces: string[], done: boolean, errors: unknown[], query?: { httpStatus: number, status: unknown } }} StreamSeen
 * @typedef {{ create: TaskSeen, videos: TaskSeen, stream?: StreamSeen }} Seen
 */

const DOCUMENT_WORDS = ['pending', 'processing', 'completed', 'failed', 'queued', 'in_progress'];
const FAMILY_WORDS = /^(image_downloading|video_generating|video_generation_(completed|failed)|video_upsampling(_completed|_failed)?)$/i;
const FAILURE_WORDS = /^(error|cancelled|canceled|expired|rejected|failure)$/i;
const NUMBER_FIELDS = ['progress', 'status_update_time', 'created_at', 'seconds'];
const UUID = /^video_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The nodes' rule when the built package has no dist/nodes/shared/taskStatus.js. @param {unknown} status @returns {FinalState} */
function localFinalStateOf(status) {
	const word = String(status ?? '').trim().toLowerCase();
	if (/^(completed|succeeded|success)$/.test(word)) return 'completed';
	if (/^(failed|error|failure|cancelled|canceled|expired|rejected)$/.test(word) || /_failed$/.test(word)) return 'failed';
	return 'running';
}

/** @param {unknown} id */
function idShape(id) {
	if (typeof id !== 'string' || id === '') return 'missing';
	if (/^[A-Za-z0-9._-]+:[A-Za-z0-9._-]+$/.test(id)) return 'model:token';
	if (UUID.test(id)) return 'video_<uuid>';
	if (id.startsWith('video_')) return 'video_… (no UUID)';
	return 'other';
}

/** Distinct status words in order, each with the state the nodes give it. @param {TaskSeen} task @param {(s: unknown) => FinalState} finalStateOf */
function statusWords(task, finalStateOf) {
	const words = [task.answer, ...task.polls].filter((a) => a && typeof a === 'object' && 'status' in a).map((a) => String(a.status));
	return [...new Set(words)].map((word) => ({ word, state: finalStateOf(word) }));
}

/** Every string leaf of an answer with its path, e.g. detail.video_generation_error. @param {unknown} value @param {string} [at] @returns {[string, string][]} */
function stringLeaves(value, at = '') {
	if (typeof value === 'string') return [[at, value]];
	if (!value || typeof value !== 'object') return [];
	return Object.entries(value).flatMap(([key, inner]) => stringLeaves(inner, at ? `${at}.${key}` : key));
}

/** Fields that carry an error text (where a failure reason sits, or an error left on a completed task). @param {any} answer */
const errorFields = (answer) => stringLeaves(answer).filter(([path, value]) => /error|reason|message|fail/i.test(path) && value.trim() !== '');

/**
 * The fields of every answer: times and their unit, numbers sent as strings, optional fields left out (and, for
 * status answers, video_url left out instead of null).
 * @param {string} api @param {any[]} answers @param {string[]} optional @param {boolean} [statusAnswers]
 */
function fieldFacts(api, answers, optional, statusAnswers = false) {
	/** @type {{ times: any[], strings: any[], missing: any[] }} */
	const facts = { times: [], strings: [], missing: [] };
	for (const answer of answers.filter((a) => a && typeof a === 'object')) {
		for (const [key, value] of Object.entries(answer)) {
			const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
			if (/(_at|_time)$/.test(key) && number !== undefined) facts.times.push({ api, field: key, unit: number >= 1e12 ? 'milliseconds' : 'seconds', value });
			if (NUMBER_FIELDS.includes(key) && typeof value === 'string') facts.strings.push({ api, field: key, value });
		}
		for (const field of optional) if (!(field in answer)) facts.missing.push({ api, field });
		if (statusAnswers && !('video_url' in answer)) facts.missing.push({ api, field: 'video_url', when: 'instead of null' });
	}
	const unique = (/** @type {any[]} */ list) => [...new Map(list.map((item) => [`${item.api} ${item.field} ${item.unit ?? ''}`, item])).values()];
	return { times: unique(facts.times), strings: unique(facts.strings), missing: unique(facts.missing) };
}

/** @param {StreamSeen | undefined} stream */
function streamFacts(stream) {
	if (!stream) return undefined;
	const { pieces } = stream;
	const text = pieces.some((piece) => piece.includes('\n')) ? pieces.join('') : pieces.join('\n');
	const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
	const wholeLines = pieces.length === lines.length && pieces.every((piece, i) => piece.trim() === lines[i]);
	const markdown = lines.some((line) => /^>\s|\]\(https?:\/\//.test(line));
	const format = markdown ? 'markdown' : lines.some((line) => /^[a-z_]+:\s/i.test(line)) ? 'key: value lines' : lines.length > 0 ? 'other' : 'none';
	const taskId = (/^task_id:\s*(\S+)/m.exec(text) ?? /ID:\s*`([^`]+)`/.exec(text))?.[1];
	const videoUrl = (/^video_url:\s*(\S+)/m.exec(text) ?? /\]\((https?:\/\/[^)\s]+\.mp4[^)\s]*)\)/.exec(text) ?? /(https?:\/\/\S+\.mp4\S*)/.exec(text))?.[1];
	const failureLine = videoUrl === undefined ? lines.at(-1) : undefined;
	const mentions = videoUrl === undefined ? [] : lines.filter((line) => /error|fail/i.test(line) && !/https?:\/\//.test(line));
	return {
		format,
		pieces: wholeLines ? 'whole lines' : 'token-sized pieces',
		events: pieces.length,
		lines: lines.length,
		done: stream.done,
		errorEvents: stream.errors.length,
		taskId,
		taskIdShape: idShape(taskId),
		videoUrl,
		failureLine,
		mentionsOfErrorInACompletedStream: mentions,
		queryOfItsTaskId: stream.query === undefined ? undefined : stream.query,
	};
}

/** Everything the check saw, as facts. @param {Seen} seen @param {(s: unknown) => FinalState} finalStateOf */
function observe(seen, finalStateOf) {
	const createdId = seen.create.answer?.id;
	const answeredId = seen.create.polls.find((poll) => poll && typeof poll === 'object' && 'id' in poll)?.id;
	const facts = [
		fieldFacts('/v1/video/create', [seen.create.answer], ['status_update_time', 'enhanced_prompt']),
		fieldFacts('/v1/video/query', seen.create.polls, ['status_update_time', 'enhanced_prompt'], true),
		fieldFacts('/v1/videos', [seen.videos.answer], ['progress', 'created_at']),
		fieldFacts('/v1/videos/{id}', seen.videos.polls, ['progress', 'status_update_time', 'enhanced_prompt'], true),
	];
	const finals = [...seen.create.polls, ...seen.videos.polls].filter((a) => a && typeof a === 'object' && finalStateOf(a.status) !== 'running');
	return {
		statuses: { create: statusWords(seen.create, finalStateOf), videos: statusWords(seen.videos, finalStateOf) },
		ids: { create: { id: createdId, shape: idShape(createdId) }, videos: { id: seen.videos.answer?.id, shape: idShape(seen.videos.answer?.id) } },
		queryId: answeredId === undefined ? 'no answer' : answeredId === createdId ? 'equal' : typeof createdId === 'string' && createdId.endsWith(`:${answeredId}`) ? 'without the model prefix' : 'different',
		answeredId,
		times: facts.flatMap((f) => f.times),
		stringNumbers: facts.flatMap((f) => f.strings),
		missingOptional: facts.flatMap((f) => f.missing),
		failureReasons: finals.filter((a) => finalStateOf(a.status) === 'failed').flatMap((a) => errorFields(a).map(([path, value]) => ({ status: a.status, path, value }))),
		errorsLeftOnCompleted: finals.filter((a) => finalStateOf(a.status) === 'completed').flatMap((a) => errorFields(a).map(([path, value]) => ({ status: a.status, path, value }))),
		stream: streamFacts(seen.stream),
	};
}

/** @typedef {ReturnType<typeof observe>} Observations */

/** Which variants each observation points to (none: the document). @param {Observations} o */
function variantSignals(o) {
	const words = [...o.statuses.create, ...o.statuses.videos];
	const s = o.stream;
	/** @type {Record<string, string[]>} */
	const signals = {
		tokens: s && s.pieces === 'token-sized pieces' && s.format !== 'markdown' ? ['stream content in token-sized pieces'] : [],
		'failure-words': [
			...words.filter((w) => w.state === 'failed' && FAILURE_WORDS.test(w.word)).map((w) => `failure status "${w.word}"`),
			...(s?.failureLine && /^(>\s*)?error\b/i.test(s.failureLine) ? ['stream failure line starts with "Error"'] : []),
			...(s && s.mentionsOfErrorInACompletedStream.length > 0 ? ['a completed stream mentions error/fail inside a line'] : []),
		],
		'opaque-ids': [
			...(['other', 'video_… (no UUID)'].includes(o.ids.create.shape) ? [`create id ${o.ids.create.shape}`] : []),
			...(o.ids.videos.shape !== 'video_<uuid>' && o.ids.videos.shape !== 'missing' ? [`/v1/videos id ${o.ids.videos.shape}`] : []),
			...(s && s.format === 'key: value lines' && s.taskIdShape === 'other' ? ['stream task id without a model prefix'] : []),
		],
		'upper-case': words.filter((w) => /[A-Z]/.test(w.word) && w.word === w.word.toUpperCase()).map((w) => `status "${w.word}"`),
		sparse: o.missingOptional.map((m) => `${m.api} without ${m.field}${m.when ? ` ${m.when}` : ''}`),
		strings: o.stringNumbers.map((n) => `${n.api} ${n.field} as a string`),
		family: [
			...words.filter((w) => FAMILY_WORDS.test(w.word)).map((w) => `status "${w.word}"`),
			...o.times.filter((t) => t.unit === 'milliseconds').map((t) => `${t.api} ${t.field} in ms`),
			...(o.queryId === 'without the model prefix' ? ['the query answers the id without its model prefix'] : []),
			...(s && s.format === 'markdown' ? ['markdown stream'] : []),
		],
	};
	return Object.fromEntries(Object.entries(signals).map(([name, list]) => [name, [...new Set(list)]]));
}

/** Shapes no variant stands for. @param {Observations} o */
function uncovered(o) {
	const known = (/** @type {string} */ word) => DOCUMENT_WORDS.includes(word.toLowerCase()) || FAMILY_WORDS.test(word) || FAILURE_WORDS.test(word);
	const s = o.stream;
	return [
		...[...o.statuses.create, ...o.statuses.videos].filter((w) => !known(w.word)).map((w) => `status "${w.word}" (${w.state})`),
		...(o.ids.create.shape === 'missing' ? ['no id in the /v1/video/create answer'] : []),
		...(o.queryId === 'different' ? [`the query answers another id (${o.answeredId})`] : []),
		...(s && (s.format === 'other' || s.format === 'none') ? [`stream format: ${s.format}`] : []),
		...(s && !s.done ? ['the stream ended without [DONE]'] : []),
		...(s && s.errorEvents > 0 ? [`${s.errorEvents} error event(s) in the stream`] : []),
	];
}

/** The variants (in the sandbox's order) whose signals were seen; [] = the document. @param {Observations} o */
function matchVariants(o) {
	const signals = variantSignals(o);
	return Object.keys(VARIANTS).filter((name) => (signals[name] ?? []).length > 0);
}

module.exports = { FAMILY_WORDS, FAILURE_WORDS, observe, variantSignals, matchVariants, uncovered, localFinalStateOf, idShape, streamFacts };
