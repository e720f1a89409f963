import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { WaitSettings } from '../descriptions';
import type { ErrorVerdict, PollOutcome, PollSnapshot, PollTarget } from '../poller/types';
import { pollUntilDone } from '../poller/pollUntilDone';
import type { TaskRef } from '../taskIds';
import { statusRequestOf } from '../taskIds';
import { apertisRequest } from '../transport/apertisRequest';

export interface TaskToWaitFor {
	itemIndex: number;
	task: TaskRef;
	/** The model, where the id does not tell it (video_… ids): tasks of one model inform each other's schedule. */
	model?: string;
	/** When an earlier pass began waiting for it (Wait Until Done's hand-off loop). */
	waitingSinceMs?: number;
}

/** One status check, a single attempt: the poller decides about retries for all tasks together. */
async function fetchStatus(ctx: IExecuteFunctions, target: TaskToWaitFor): Promise<PollSnapshot> {
	const raw = await apertisRequest<IDataObject>(ctx, {
		method: 'GET',
		...statusRequestOf(target.task),
		kind: 'read',
		itemIndex: target.itemIndex,
		taskId: target.task.id,
		maxAttempts: 1,
		timeoutMs: 30_000,
	});
	return {
		status: String(raw.status ?? ''),
		progress: typeof raw.progress === 'number' ? raw.progress : undefined,
		raw,
	};
}

/** 429 → everybody waits for Retry-After; 5xx and network errors → try again later; anything else ends the task. */
function classifyError(error: unknown): ErrorVerdict {
	const context = (error as { context?: IDataObject }).context ?? {};
	const httpCode = Number((error as { httpCode?: string | null }).httpCode ?? NaN);
	if (httpCode === 429) {
		return { retryAfterMs: typeof context.retryAfterMs === 'number' ? context.retryAfterMs : 1000 };
	}
	if (context.networkError === true || httpCode >= 500) return 'retry';
	return 'fatal';
}

/**
 * Waits for every task at once with the one poller, and returns one outcome per task in input order. Tasks are
 * never dropped: a task that fails, times out or hits a fatal error has an outcome with its id.
 */
export async function waitForTasks(
	ctx: IExecuteFunctions,
	tasks: TaskToWaitFor[],
	settings: WaitSettings,
): Promise<Array<PollOutcome & { item: TaskToWaitFor }>> {
	const targets: PollTarget[] = tasks.map((item, key) => ({
		key,
		taskId: item.task.id,
		model: item.task.model ?? item.model,
		waitingSinceMs: item.waitingSinceMs,
	}));
	const outcomes = await pollUntilDone(targets, {
		fetchStatus: async (target) => await fetchStatus(ctx, tasks[target.key as number]),
		classifyError,
		pollIntervalMs: settings.pollIntervalSeconds * 1000,
		timeoutMs: settings.timeoutMinutes * 60_000,
		requestsPerSecond: settings.requestsPerSecond,
		handOffAfterMs: (settings.handOffAfterMinutes ?? 0) * 60_000,
		signal: ctx.getExecutionCancelSignal(),
	});
	return outcomes.map((outcome) => ({ ...outcome, item: tasks[outcome.key as number] }));
}
