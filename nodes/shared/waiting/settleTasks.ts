import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { withVideo } from '../binary/videoDownload';
import type { DownloadSettings, WaitSettings } from '../descriptions';
import { executionStopped } from '../errors';
import { inputItemIndexOf } from '../items';
import { mapWithConcurrency } from '../mapWithConcurrency';
import { PollAborted } from '../poller/pollUntilDone';
import type { PollOutcome } from '../poller/types';
import type { TaskToWaitFor } from './waitForTasks';
import { waitForTasks } from './waitForTasks';

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
}

type Settled = { ok: boolean; item: INodeExecutionData };

/**
 * Waits for every task at once (the one poller), downloads finished videos when asked, and sorts the items into
 * completed and failed. Every task leaves with its id; a stopped execution names the tasks still running.
 */
export async function settleTasks(
	ctx: IExecuteFunctions,
	tasks: TaskItem[],
	settings: WaitSettings,
	download: DownloadSettings,
): Promise<SettledTasks> {
	const outcomes = await waitForTasks(ctx, tasks, settings).catch((error: unknown) => {
		if (!(error instanceof PollAborted)) throw error;
		throw executionStopped(
			ctx.getNode(),
			error.pending.map((target) => target.taskId),
		);
	});
	const settled = await mapWithConcurrency(outcomes, DOWNLOAD_CONCURRENCY, async (outcome) => {
		const json: IDataObject = {
			...tasks[outcome.key as number].json,
			...(outcome.last?.raw ?? {}),
			id: outcome.item.task.id,
		};
		return await settleOne(ctx, outcome, json, download);
	});
	return {
		completed: settled.filter((s) => s.ok).map((s) => s.item),
		failed: settled.filter((s) => !s.ok).map((s) => s.item),
	};
}

async function settleOne(
	ctx: IExecuteFunctions,
	outcome: PollOutcome & { item: TaskToWaitFor },
	json: IDataObject,
	download: DownloadSettings,
): Promise<Settled> {
	const { itemIndex, task } = outcome.item;
	const pairedItem = { item: itemIndex };
	if (outcome.outcome !== 'completed') {
		const status = outcome.outcome === 'timedOut' ? (outcome.last?.status ?? 'unknown') : 'failed';
		const error = outcome.error ?? `Task ${task.id} did not complete`;
		return { ok: false, item: { json: { ...json, status, error }, pairedItem } };
	}
	if (!download.downloadVideo(itemIndex)) return { ok: true, item: { json, pairedItem } };
	try {
		const binaryPropertyName = download.outputField(itemIndex);
		const request = { task, videoUrl: json.video_url, itemIndex, binaryPropertyName };
		return { ok: true, item: { ...(await withVideo(ctx, json, request)), pairedItem } };
	} catch (error) {
		// The task did complete: the item keeps its id and status and says why the video is missing.
		const message = error instanceof Error ? error.message : String(error);
		const reason = `The video of task ${task.id} could not be downloaded: ${message}`;
		return { ok: false, item: { json: { ...json, error: reason }, pairedItem } };
	}
}

/** Orders items by the input item they belong to. */
export function byInputItem(a: INodeExecutionData, b: INodeExecutionData): number {
	return inputItemIndexOf(a) - inputItemIndexOf(b);
}
