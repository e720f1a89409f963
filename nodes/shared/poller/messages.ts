import type { IDataObject } from 'n8n-workflow';

import { failureReasonOf } from '../taskStatus';
import type { PollSnapshot } from './types';

/** Human-readable text of whatever a status request threw. */
export function errorText(error: unknown): string {
	if (error instanceof Error && error.message) return error.message;
	if (typeof error === 'string' && error) return error;
	return 'Unknown error';
}

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

export function formatDuration(ms: number): string {
	const minutes = ms / 60_000;
	if (minutes >= 1) {
		const rounded = Math.round(minutes * 10) / 10;
		return `${rounded} minute${rounded === 1 ? '' : 's'}`;
	}
	const seconds = Math.round(ms / 100) / 10;
	return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** `lastError` is the error of the latest attempt, if that attempt failed. */
export function timeoutMessage(
	taskId: string,
	timeoutMs: number,
	last?: PollSnapshot,
	lastError?: string,
): string {
	const parts = [last ? `last status: ${last.status}` : 'no status received'];
	if (lastError) parts.push(`last error: ${lastError}`);
	return `Task ${taskId} did not finish within ${formatDuration(timeoutMs)} (${parts.join('; ')})`;
}
