import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { withVideo } from '../binary/videoDownload';
import { inputItemIndexOf } from '../items';
import { mapWithConcurrency } from '../mapWithConcurrency';
import { PollAborted } from '../poller/pollUntilDone';
import type { TaskToWaitFor, WaitSettings } from './waitForTasks';
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

export interface DownloadSettings {
	downloadVideo: boolean;
	binaryPropertyName: (itemIndex: number) => string;
}

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
		const ids = error.pending.map((target) => target.taskId);
		throw new NodeOperationError(ctx.getNode(), `The execution was stopped while ${ids.length} task(s) were still running`, {
			description: `They keep running at Apertis; check on them later with Video Query or Wait Until Done. Task ids: ${ids.join(', ')}`,
		});
	});

	const settled = await mapWithConcurrency(outcomes, DOWNLOAD_CONCURRENCY, async (outcome) => {
		const { itemIndex, task } = outcome.item;
		const json: IDataObject = { ...tasks[outcome.key as number].json, ...(outcome.last?.raw ?? {}), id: task.id };
		const pairedItem = { item: itemIndex };
		if (outcome.outcome !== 'completed') {
			const status = outcome.outcome === 'timedOut' ? (outcome.last?.status ?? 'unknown') : 'failed';
			return { ok: false, item: { json: { ...json, status, error: outcome.error ?? `Task ${task.id} did not complete` }, pairedItem } };
		}
		if (!download.downloadVideo) return { ok: true, item: { json, pairedItem } };
		try {
			const withBinary = await withVideo(ctx, json, { task, videoUrl: json.video_url, itemIndex, binaryPropertyName: download.binaryPropertyName(itemIndex) });
			return { ok: true, item: { ...withBinary, pairedItem } };
		} catch (error) {
			// The task did complete: the item keeps its id and status and says why the video is missing.
			const message = error instanceof Error ? error.message : String(error);
			return { ok: false, item: { json: { ...json, error: `The video of task ${task.id} could not be downloaded: ${message}` }, pairedItem } };
		}
	});
	return {
		completed: settled.filter((s) => s.ok).map((s) => s.item),
		failed: settled.filter((s) => !s.ok).map((s) => s.item),
	};
}

/** Orders items by the input item they belong to. */
export function byInputItem(a: INodeExecutionData, b: INodeExecutionData): number {
	return inputItemIndexOf(a) - inputItemIndexOf(b);
}
