import type { IDataObject } from 'n8n-workflow';

/**
 * What a task's status answer means. The API document names `pending`, `processing`, `completed` and `failed` and
 * shows examples only; gateways that publish the same format answer with more words (`video_generating`,
 * `video_generation_completed`, `video_upsampling`, `success`, `error`, `…_failed`) and in any case. One rule for
 * every node: a word that says done is Completed, a word that says it ended badly is Failed, anything else is still
 * running, compared case-insensitively.
 */
export type FinalState = 'completed' | 'failed' | 'running';

const COMPLETED = new Set(['completed', 'succeeded', 'success', 'succeed', 'done', 'finished']);
const FAILED = new Set([
	'failed',
	'failure',
	'fail',
	'error',
	'errored',
	'cancelled',
	'canceled',
	'expired',
	'rejected',
	'timeout',
	'timed_out',
]);

export function finalStateOf(status: unknown): FinalState {
	const word = String(status ?? '')
		.trim()
		.toLowerCase();
	if (COMPLETED.has(word)) return 'completed';
	// `video_generation_failed`, `video_upsampling_failed`: a stage that failed ends the task.
	if (FAILED.has(word) || word.endsWith('_failed')) return 'failed';
	// `video_generation_completed` is not final: upsampling may follow. Only `completed` itself is.
	return 'running';
}

function textOf(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim()) return value.trim();
	if (value && typeof value === 'object' && !Array.isArray(value)) {
		const message = (value as IDataObject).message;
		if (typeof message === 'string' && message.trim()) return message.trim();
	}
	return undefined;
}

/**
 * Why a failed task failed, from wherever the API put it: `error` (a string or `{ message }`), `fail_reason`,
 * `detail.video_generation_error`, `detail.error_message`, `detail.fail_reason`. Read only for a failed task: a
 * completed one may still carry a leftover `detail.error_message`.
 */
export function failureReasonOf(answer: IDataObject): string | undefined {
	const detail = (answer.detail ?? {}) as IDataObject;
	const places = [
		answer.error,
		answer.fail_reason,
		answer.failure_reason,
		detail.video_generation_error,
		detail.error_message,
		detail.fail_reason,
	];
	for (const place of places) {
		const text = textOf(place);
		if (text) return text;
	}
	return undefined;
}

function urlOf(value: unknown): string | undefined {
	return typeof value === 'string' && /^https?:\/\//i.test(value.trim()) ? value.trim() : undefined;
}

/**
 * The finished video to hand on: the upsampled file (`detail.upsample_video_url`, where gateways of this format put
 * it when upsampling was asked) before `video_url`.
 */
export function videoUrlOf(answer: IDataObject): string | undefined {
	const detail = (answer.detail ?? {}) as IDataObject;
	return (
		urlOf(detail.upsample_video_url) ?? urlOf(answer.upsample_video_url) ?? urlOf(answer.video_url)
	);
}

/** A percentage from a number or a numeric string ("45", "45%"); undefined when there is none. */
export function progressOf(value: unknown): number | undefined {
	const n = typeof value === 'string' ? Number(value.trim().replace(/%$/, '')) : value;
	return typeof n === 'number' && Number.isFinite(n) && value !== '' ? n : undefined;
}
