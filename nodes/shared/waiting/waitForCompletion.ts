import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readDownloadSettings, readWaitForCompletion, readWaitSettings } from '../descriptions';
import { continuesOnFail, inputItemIndexOf } from '../items';
import { parseTaskId } from '../taskIds';
import type { TaskItem } from './settleTasks';
import { byInputItem, settleTasks } from './settleTasks';
import { createdAtOf } from './waitForTasks';

/**
 * With Wait for Completion on, waits for the tasks the node just created and returns their final state, in input
 * order. A task that fails or times out fails the node (naming every task id, finished or not), or under Continue
 * On Fail becomes an item with its id, status and `error`.
 */
export async function completeCreatedItems(
	ctx: IExecuteFunctions,
	created: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	if (!readWaitForCompletion(ctx)) return created;
	const tasks: TaskItem[] = [];
	const notCreated: INodeExecutionData[] = [];
	for (const item of created) {
		if (item.json.error !== undefined || typeof item.json.id !== 'string') notCreated.push(item);
		else tasks.push(taskItemOf(item));
	}
	const download = readDownloadSettings(ctx, 'binaryPropertyOutput');
	const { completed, failed } = await settleTasks(ctx, tasks, readWaitSettings(ctx), download);
	if (failed.length > 0 && !continuesOnFail(ctx)) {
		throw notAllCompleted(ctx, tasks.length, completed, failed);
	}
	return [...completed, ...failed, ...notCreated].sort(byInputItem);
}

function taskItemOf(item: INodeExecutionData): TaskItem {
	const model = typeof item.json.model === 'string' ? item.json.model : undefined;
	const task = parseTaskId(item.json.id);
	const createdAtMs = createdAtOf(item.json, task.id);
	return { itemIndex: inputItemIndexOf(item), task, model, createdAtMs, json: item.json };
}

function notAllCompleted(
	ctx: IExecuteFunctions,
	total: number,
	completed: INodeExecutionData[],
	failed: INodeExecutionData[],
): NodeOperationError {
	const lines = failed.map((item) => `${String(item.json.id)}: ${String(item.json.error)}`);
	const done = completed.map((item) => String(item.json.id));
	const doneNote = done.length ? ` Completed: ${done.join(', ')}.` : '';
	return new NodeOperationError(
		ctx.getNode(),
		`${failed.length} of ${total} video task(s) did not complete`,
		{
			description: `${lines.join('; ')}.${doneNote} Turn on Continue On Fail to keep going with the failed items, or use Wait Until Done to route them.`,
			itemIndex: inputItemIndexOf(failed[0]),
		},
	);
}
