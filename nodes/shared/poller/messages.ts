import type { IDataObject } from 'n8n-workflow';

import { failureReasonOf } from '../taskStatus';
import type { Task } from './taskState';
import type { PollSnapshot } from './types';

/** Every message names the task, so a user can look it up (or query it again) from the error alone. */
export function namingTask(taskId: string, message: string): string {
	return message.includes(taskId) ? message : `Task ${taskId}: ${message}`;
}

/** Why the API says a task failed, wherever it put the reason (taskStatus.ts). */
export function failureMessage(taskId: string, snapshot: PollSnapshot): string {
	const reason = failureReasonOf(snapshot.raw as IDataObject);
	const base = `Video generation failed (task ${taskId}, status ${snapshot.status})`;
	return reason ? `${base}: ${reason}` : base;
}

/** Names the task, the time-out, its last status and, if its latest check failed, that error. */
export function timeoutMessage(task: Task, timeoutMs: number): string {
	const [unitMs, unit] = timeoutMs >= 60_000 ? [60_000, 'minute'] : [1000, 'second'];
	const rounded = Math.round((timeoutMs / unitMs) * 10) / 10;
	const parts = [task.last ? `last status: ${task.last.status}` : 'no status received'];
	if (task.lastError) parts.push(`last error: ${task.lastError}`);
	const within = `${rounded} ${unit}${rounded === 1 ? '' : 's'}`;
	return `Task ${task.target.taskId} did not finish within ${within} (${parts.join('; ')})`;
}
