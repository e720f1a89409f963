import { truncate } from './checks';
import type { FieldRef } from './errors';
import { InvalidParameter } from './errors';

/**
 * Which query API a task id belongs to. Ids from /v1/video/create and the Sora chat stream look like
 * `veo3:1234567890-abcdefgh` (model, colon, token) and are read with GET /v1/video/query?id=; ids from
 * /v1/videos look like `video_<uuid>` and are read with GET /v1/videos/{id}.
 */
export type TaskApi = 'videoQuery' | 'videos';

export interface TaskRef {
	id: string;
	api: TaskApi;
	/** The model named by the id's prefix (video/create ids only). */
	model?: string;
}

const VIDEO_QUERY_ID = /^([a-z0-9][a-z0-9._-]*):([A-Za-z0-9._-]+)$/i;
const VIDEOS_ID = /^video_[A-Za-z0-9-]+$/;

export const TASK_ID: FieldRef = { name: 'taskId', label: 'Task ID' };

export function parseTaskId(value: unknown, field: FieldRef = TASK_ID): TaskRef {
	const id =
		typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
	if (!id) {
		throw new InvalidParameter(
			field,
			'Task ID is empty',
			'Map the "id" (or "task_id") field of an Apertis create node, e.g. {{ $json.id }}.',
		);
	}
	if (VIDEOS_ID.test(id)) return { id, api: 'videos' };
	const match = VIDEO_QUERY_ID.exec(id);
	if (match) return { id, api: 'videoQuery', model: match[1] };
	throw new InvalidParameter(
		field,
		`Task ID "${truncate(id)}" is not an Apertis task id`,
		'Expected an id like "veo3:1234567890-abcdefgh" (Video Create, Sora Chat Stream) or "video_…" (Video From Image).',
	);
}

/** The GET request that reads a task's status. */
export function statusRequestOf(task: TaskRef): { path: string; qs?: { id: string } } {
	return task.api === 'videos'
		? { path: `/v1/videos/${encodeURIComponent(task.id)}` }
		: { path: '/v1/video/query', qs: { id: task.id } };
}
