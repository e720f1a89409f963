import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { WaitSettings } from '../descriptions';
import { PACE, paceOfKey } from '../pacing/adaptivePace';
import { durationsOfKey } from '../poller/learnedDurations';
import type { ErrorVerdict, PollOutcome, PollSnapshot, PollTarget } from '../poller/types';
import { pollUntilDone } from '../poller/pollUntilDone';
import type { TaskRef } from '../taskIds';
import { idText, statusRequestOf } from '../taskIds';
import { progressOf } from '../taskStatus';
import { apertisRequest, getBaseUrl } from '../transport/apertisRequest';

export interface TaskToWaitFor {
	itemIndex: number;
	task: TaskRef;
	/** The model, where the id does not tell it (video_… ids): tasks of one model inform each other's schedule. */
	model?: string;
	/** When an earlier pass began waiting for it (Wait Until Done's hand-off loop). */
	waitingSinceMs?: number;
	/** When the task was created, if the input item tells (see createdAtOf): its learned duration counts from here. */
	createdAtMs?: number;
	/** What the item carries, e.g. the create response. */
	json?: IDataObject;
}

/**
 * An API timestamp in epoch ms: seconds (the document's status_update_time and created_at), milliseconds, or a
 * date string. Whole seconds stand for anything within that second: the middle of it is the best guess.
 */
export function apiTimeMs(value: unknown): number | undefined {
	if (typeof value === 'string' && value.trim() !== '' && !Number.isFinite(Number(value))) {
		const parsed = Date.parse(value);
		return Number.isNaN(parsed) ? undefined : parsed;
	}
	const n = typeof value === 'string' ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return undefined;
	// From 1e12 on it is milliseconds: 1e12 ms is the year 2001, 1e12 s the year 33,658.
	if (n >= 1e12) return n;
	return Number.isInteger(n) ? n * 1000 + 500 : n * 1000;
}

/** Whether an item is about task `taskId` (a create's answer, a status, a Still Running item): its id is the task's. */
export function isAboutTask(json: IDataObject, taskId: string): boolean {
	return idText(json.id) === taskId || idText(json.task_id) === taskId;
}

/**
 * When task `taskId` was created, from an item that carries its create response (or its status). An item about
 * something else (a spreadsheet row with a created_at of its own) says nothing about the task: its id must match.
 */
export function createdAtOf(json: IDataObject | undefined, taskId: string): number | undefined {
	if (!json || !isAboutTask(json, taskId)) return undefined;
	// task_created_at: what an earlier hand-off pass learned (the create family's answers carry no created_at).
	const createdAt = apiTimeMs(json.created_at) ?? apiTimeMs(json.task_created_at);
	if (createdAt !== undefined) return createdAt;
	// A create answers with the task still queued: its status_update_time is its creation.
	const status = String(json.status ?? '').toLowerCase();
	return status === 'pending' || status === 'queued'
		? apiTimeMs(json.status_update_time)
		: undefined;
}

/**
 * A status check answers within a second or two; half the transport's default time-out is ample, and a hung check
 * is given up (and retried by the poller) while the task's next checks are still due.
 */
const STATUS_TIMEOUT_MS = 30_000;

/** One status check, a single attempt: the poller decides about retries for all tasks together. */
async function fetchStatus(ctx: IExecuteFunctions, target: TaskToWaitFor): Promise<PollSnapshot> {
	const raw = await apertisRequest<IDataObject>(ctx, {
		method: 'GET',
		...statusRequestOf(target.task),
		kind: 'read',
		itemIndex: target.itemIndex,
		taskId: target.task.id,
		maxAttempts: 1,
		timeoutMs: STATUS_TIMEOUT_MS,
		pacedByCaller: true,
	});
	return {
		status: String(raw.status ?? ''),
		progress: progressOf(raw.progress),
		statusSinceMs: apiTimeMs(raw.status_update_time),
		createdAtMs: apiTimeMs(raw.created_at),
		raw,
	};
}

/** 429 → everybody waits for Retry-After; 5xx and network errors → try again later; anything else ends the task. */
function classifyError(error: unknown): ErrorVerdict {
	const context = (error as { context?: IDataObject }).context ?? {};
	const httpCode = Number((error as { httpCode?: string | null }).httpCode ?? NaN);
	if (httpCode === 429) {
		const { retryAfterMs } = context;
		return { retryAfterMs: typeof retryAfterMs === 'number' ? retryAfterMs : PACE.defaultPauseMs };
	}
	if (context.networkError === true || httpCode >= 500) return 'retry';
	return 'fatal';
}

/**
 * Waits for every task at once with the one poller, and returns one outcome per task in input order. Tasks are
 * never dropped: a task that fails, times out or hits a fatal error has an outcome with its id. The poller shares
 * its API key's pace and learned durations with every other node and execution in this n8n process.
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
		createdAtMs: item.createdAtMs,
	}));
	const { baseUrl, apiKey } = await getBaseUrl(ctx);
	const outcomes = await pollUntilDone(targets, {
		fetchStatus: async (target) => await fetchStatus(ctx, tasks[target.key as number]),
		classifyError,
		pollIntervalMs: settings.pollIntervalSeconds * 1000,
		timeoutMs: settings.timeoutMinutes * 60_000,
		requestsPerSecond: settings.requestsPerSecond,
		pace: paceOfKey(baseUrl, apiKey),
		durations: durationsOfKey(baseUrl, apiKey),
		handOffAfterMs: (settings.handOffAfterMinutes ?? 0) * 60_000,
		signal: ctx.getExecutionCancelSignal(),
	});
	return outcomes.map((outcome) => ({ ...outcome, item: tasks[outcome.key as number] }));
}
