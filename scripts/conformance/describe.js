// @ts-check
// The conformance check's printed findings: each shape it saw, against what the nodes expect (the document's
// example shapes; a status word is read the way the nodes read it), with the variant that stands for a difference.
'use strict';
const { FAMILY_WORDS, FAILURE_WORDS } = require('./shapes');

const OK = '✓';
const DIFF = '≠';

/** @param {{ word: string, state: string }[]} words */
const wordList = (words) => (words.length ? words.map((w) => `${w.word} (${w.state})`).join(', ') : 'none seen');

/** @param {boolean} same @param {string} text @param {string} [variant] */
const line = (same, text, variant) => `  ${same ? OK : DIFF} ${text}${!same && variant ? `  [${variant}]` : ''}`;

/** The variants that stand for these words. @param {{ word: string }[]} words */
function wordVariants(words) {
	const names = [];
	if (words.some((w) => FAMILY_WORDS.test(w.word))) names.push('family');
	if (words.some((w) => FAILURE_WORDS.test(w.word))) names.push('failure-words');
	if (words.some((w) => /[A-Z]/.test(w.word) && w.word === w.word.toUpperCase())) names.push('upper-case');
	return names.join(', ') || 'no variant';
}

/** @param {import('./shapes').Observations} o */
function statusLines(o) {
	const documentWords = (/** @type {{ word: string }[]} */ words, /** @type {string[]} */ allowed) => words.every((w) => allowed.includes(w.word));
	const create = o.statuses.create;
	const videos = o.statuses.videos;
	return [
		line(documentWords(create, ['pending', 'processing', 'completed', 'failed']), `status words of /v1/video/create + /v1/video/query: ${wordList(create)}`, wordVariants(create)),
		line(documentWords(videos, ['queued', 'in_progress', 'completed', 'failed']), `status words of /v1/videos: ${wordList(videos)}`, wordVariants(videos)),
	];
}

/** @param {import('./shapes').Observations} o */
function idLines(o) {
	const s = o.stream;
	const queryId = {
		equal: "equals the created id",
		'without the model prefix': `is the created id without its model prefix (${o.answeredId})`,
		different: `differs from the created id (${o.answeredId})`,
		'no answer': 'unknown (no answer to a query)',
	}[o.queryId];
	return [
		line(o.ids.create.shape === 'model:token', `id of /v1/video/create: ${o.ids.create.id ?? '-'} (${o.ids.create.shape})`, 'opaque-ids'),
		line(o.ids.videos.shape === 'video_<uuid>', `id of /v1/videos: ${o.ids.videos.id ?? '-'} (${o.ids.videos.shape})`, 'opaque-ids'),
		...(s ? [line(s.taskIdShape === 'model:token', `task id in the stream: ${s.taskId ?? '-'} (${s.taskIdShape})`, s.format === 'markdown' ? 'family' : 'opaque-ids')] : []),
		line(o.queryId === 'equal', `the query answer's id ${queryId}`, 'family'),
	];
}

/** @param {import('./shapes').Observations} o */
function fieldLines(o) {
	const units = [...new Set(o.times.map((t) => t.unit))];
	const times = units.map((unit) => `${unit} (${o.times.filter((t) => t.unit === unit).map((t) => `${t.field} of ${t.api}`).join(', ')})`);
	const reasons = o.failureReasons.map((r) => `${r.path} = ${JSON.stringify(r.value)}`);
	const leftovers = o.errorsLeftOnCompleted.map((r) => `${r.path} = ${JSON.stringify(r.value)}`);
	return [
		line(o.times.every((t) => t.unit === 'seconds'), `times: ${times.join('; ') || 'none seen'}`, 'family'),
		line(o.stringNumbers.length === 0, `numbers sent as strings: ${o.stringNumbers.map((n) => `${n.field} of ${n.api} (${JSON.stringify(n.value)})`).join('; ') || 'none'}`, 'strings'),
		line(o.missingOptional.length === 0, `optional fields missing: ${o.missingOptional.map((m) => `${m.field} of ${m.api}${m.when ? ` (${m.when})` : ''}`).join('; ') || 'none'}`, 'sparse'),
		`  · failure reason: ${o.failureReasons.length ? reasons.join('; ') : 'no task failed, or a failed one carried no error text (the document names no field for it)'}`,
		line(leftovers.length === 0, `error texts left on completed tasks: ${leftovers.join('; ') || 'none'}${leftovers.length ? ' (the nodes go by status)' : ''}`, 'family'),
	];
}

/** @param {import('./shapes').Observations} o */
function streamLines(o) {
	const s = o.stream;
	if (!s) return ['  · Sora chat stream: not read'];
	const query = s.queryOfItsTaskId;
	return [
		line(s.format === 'key: value lines', `stream format: ${s.format}`, s.format === 'markdown' ? 'family' : undefined),
		line(s.pieces === 'whole lines', `stream content: ${s.pieces} (${s.events} content events, ${s.lines} lines)`, s.format === 'markdown' ? 'family' : 'tokens'),
		line(s.done, `[DONE] ${s.done ? 'came' : 'did not come'}${s.errorEvents ? `; ${s.errorEvents} error event(s)` : ''}`),
		line(Boolean(s.videoUrl), `video link in the stream: ${s.videoUrl ?? `none; last line: ${JSON.stringify(s.failureLine ?? '')}`}`, s.failureLine && /^(>\s*)?error\b/i.test(s.failureLine) ? 'failure-words' : undefined),
		line(s.mentionsOfErrorInACompletedStream.length === 0, `lines of a completed stream that mention error/fail: ${s.mentionsOfErrorInACompletedStream.map((l) => JSON.stringify(l)).join('; ') || 'none'}`, 'failure-words'),
		...(query ? [line(query.httpStatus === 200, `/v1/video/query of the stream's task id: HTTP ${query.httpStatus}${query.status === undefined ? '' : `, ${query.status}`}`)] : []),
	];
}

/**
 * The printed findings. @param {import('./shapes').Observations} o @param {string} ruleSource
 * @param {Record<string, string[]>} signals @param {string[]} notCovered @param {string[]} names
 */
function describeFindings(o, ruleSource, signals, notCovered, names) {
	return [
		`What the API answered, against what the nodes expect (${OK} = the document's shape; status words classified by ${ruleSource}):`,
		...statusLines(o),
		...idLines(o),
		...fieldLines(o),
		...streamLines(o),
		...Object.entries(signals)
			.filter(([, list]) => list.length > 0)
			.map(([name, list]) => `  variant ${name}: ${list.join('; ')}`),
		...(notCovered.length ? [`not covered by any sandbox variant: ${notCovered.join('; ')}`] : []),
		`matches sandbox variant: ${names.length ? names.join(',') : 'document'}`,
	];
}

module.exports = { describeFindings };
