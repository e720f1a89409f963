import type { FieldRef } from './errors';
import { InvalidParameter } from './errors';

/**
 * Which query API a task id belongs to. The document's ids look like `veo3:1234567890-abcdefgh` (from
 * /v1/video/create and the Sora chat stream, read with GET /v1/video/query?id=) and `video_<uuid>` (from /v1/videos,
 * read with GET /v1/videos/{id}). They are examples, not a format: real gateways answer `sora-2:task_01k…`, ids
 * without a model prefix, plain numbers. So any id the API returns is accepted: `video_…` goes to /v1/videos/{id},
 * every other id to /v1/video/query. Only an empty id (or one that is not text) is refused.
 */
export type TaskApi = 'videoQuery' | 'videos';

export interface TaskRef {
	id: string;
	api: TaskApi;
	/** The model named by the id's prefix (`model:token` ids only). */
	model?: string;
}

const VIDEOS_ID = /^video_/;
const MODEL_PREFIX = /^([a-z0-9][a-z0-9._-]*):\S/i;

export const TASK_ID: FieldRef = { name: 'taskId', label: 'Task ID' };

/** An id as text: a string trimmed, or a number's digits; undefined for anything else or an empty string. */
export function idText(value: unknown): string | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

export function parseTaskId(value: unknown, field: FieldRef = TASK_ID): TaskRef {
	const id = idText(value) ?? '';
	if (!id) {
		const empty = value === undefined || value === null || typeof value === 'string';
		throw new InvalidParameter(
			field,
			empty
				? 'Task ID is empty'
				: `Task ID is not text (got ${Array.isArray(value) ? 'a list' : typeof value})`,
			'Map the "id" (or "task_id") field of an Apertis create node, e.g. {{ $json.id }}.',
		);
	}
	if (VIDEOS_ID.test(id)) return { id, api: 'videos' };
	const model = MODEL_PREFIX.exec(id)?.[1];
	return model ? { id, api: 'videoQuery', model } : { id, api: 'videoQuery' };
}

/** The GET request that reads a task's status. */
export function statusRequestOf(task: TaskRef): { path: string; qs?: { id: string } } {
	return task.api === 'videos'
		? { path: `/v1/videos/${encodeURIComponent(task.id)}` }
		: { path: '/v1/video/query', qs: { id: task.id } };
}
