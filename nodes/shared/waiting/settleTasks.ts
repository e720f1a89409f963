import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { withVideo } from '../binary/videoDownload';
import type { DownloadSettings, WaitSettings } from '../descriptions';
import { messageOf, stoppedWithTasks } from '../errors';
import { inputItemIndexOf } from '../items';
import { mapWithConcurrency } from '../mapWithConcurrency';
import { PollAborted } from '../poller/pollUntilDone';
import type { PollOutcome } from '../poller/types';
import type { TaskToWaitFor } from './waitForTasks';
import { waitForTasks } from './waitForTasks';
import { videoUrlOf } from '../taskStatus';
import { nextCheckAt } from './handOff';

/** Downloads at once at most: videos are large, and n8n's binary store writes each one to disk. */
const DOWNLOAD_CONCURRENCY = 3;

export interface TaskItem extends TaskToWaitFor {
	/** What the item carries already (e.g. the create response); the last status read is merged over it. */
	json: IDataObject;
}

export interface SettledTasks {
	completed: INodeExecutionData[];
	/** Failed and timed-out tasks, and completed ones whose video could not be downloaded: each with id and error. */
	failed: INodeExecutionData[];
	/** Handed off (Wait Until Done's handOffAfter): each with id, last status, next_check_at and waiting_since. */
	stillRunning: INodeExecutionData[];
}

export type Outcome = PollOutcome & { item: TaskToWaitFor };
type Settled = { as: keyof SettledTasks; item: INodeExecutionData };

/**
 * Waits for every task at once (the one poller), downloads finished videos when asked, and sorts the items into
 * completed, failed and (after a hand-off) still running. Every task leaves with its id; a stopped execution names
 * the tasks still running.
 */
export async function settleTasks(
	ctx: IExecuteFunctions,
	tasks: TaskItem[],
	settings: WaitSettings,
	download: DownloadSettings,
): Promise<SettledTasks> {
	const passStartedAt = Date.now();
	const outcomes = await waitForTasks(ctx, tasks, settings).catch((error: unknown) => {
		if (!(error instanceof PollAborted)) throw error;
		throw stoppedWithTasks(
			ctx,
			error.pending.map((target) => target.taskId),
		);
	});
	const settled = await mapWithConcurrency(outcomes, DOWNLOAD_CONCURRENCY, async (outcome) => {
		const json: IDataObject = {
			...tasks[outcome.key as number].json,
			...(outcome.last?.raw ?? {}),
			id: outcome.item.task.id,
		};
		if (outcome.outcome === 'stillRunning') return stillRunningItem(outcome, json, passStartedAt);
		return await settleOne(ctx, outcome, json, download);
	});
	const of = (as: keyof SettledTasks) => settled.filter((s) => s.as === as).map((s) => s.item);
	const result = {
		completed: of('completed'),
		failed: of('failed'),
		stillRunning: of('stillRunning'),
	};
	const running = outcomes.filter((o) => o.outcome === 'stillRunning');
	const nextCheck = nextCheckAt(
		running.map((o) => o.expectedFinishAtMs),
		Math.min(...running.map((o) => o.deadlineMs ?? Infinity)),
		Date.now(),
		(settings.handOffAfterMinutes ?? 0) * 60_000,
	);
	for (const item of result.stillRunning) item.json.next_check_at = nextCheck;
	return result;
}

/** A task handed off: its item for the Still Running output, with what the next pass needs. */
export function stillRunningItem(
	outcome: Outcome,
	json: IDataObject,
	passStartedAt: number,
): Settled {
	const status = outcome.last?.status ?? String(json.status ?? 'unknown');
	const waitingSince = new Date(outcome.item.waitingSinceMs ?? passStartedAt).toISOString();
	// The next pass reads them back (createdAtOf, json.model): whichever worker runs it learns a whole duration.
	const createdAt = outcome.createdAtMs ?? outcome.item.createdAtMs;
	const taskCreatedAt =
		createdAt !== undefined ? { task_created_at: new Date(createdAt).toISOString() } : {};
	const model = outcome.item.task.model ?? outcome.item.model;
	const taskModel = typeof json.model !== 'string' && model !== undefined ? { model } : {};
	const item = {
		json: { ...json, ...taskCreatedAt, ...taskModel, status, waiting_since: waitingSince },
		pairedItem: { item: outcome.item.itemIndex },
	};
	return { as: 'stillRunning', item };
}

async function settleOne(
	ctx: IExecuteFunctions,
	outcome: Outcome,
	json: IDataObject,
	download: DownloadSettings,
): Promise<Settled> {
	const { itemIndex, task } = outcome.item;
	const pairedItem = { item: itemIndex };
	if (outcome.outcome !== 'completed') {
		const lastKnown =
			outcome.last?.status ?? (typeof json.status === 'string' ? json.status : undefined);
		const status =
			outcome.outcome === 'timedOut'
				? (lastKnown ?? 'unknown')
				: (outcome.last?.status ?? 'failed');
		const error = outcome.error ?? `Task ${task.id} did not complete`;
		return { as: 'failed', item: { json: { ...json, status, error }, pairedItem } };
	}
	if (!download.downloadVideo(itemIndex)) return { as: 'completed', item: { json, pairedItem } };
	try {
		const binaryPropertyName = download.outputField(itemIndex);
		const request = { task, videoUrl: videoUrlOf(json), itemIndex, binaryPropertyName };
		return { as: 'completed', item: { ...(await withVideo(ctx, json, request)), pairedItem } };
	} catch (error) {
		// The task did complete: the item keeps its id and status and says why the video is missing.
		const reason = `The video of task ${task.id} could not be downloaded: ${messageOf(error)}`;
		return { as: 'failed', item: { json: { ...json, error: reason }, pairedItem } };
	}
}

/** Orders items by the input item they belong to. */
export function byInputItem(a: INodeExecutionData, b: INodeExecutionData): number {
	return inputItemIndexOf(a) - inputItemIndexOf(b);
}
