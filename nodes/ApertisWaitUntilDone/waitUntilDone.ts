import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem, toItemError } from '../shared/items';
import { parseTaskId } from '../shared/taskIds';
import type { TaskItem } from '../shared/waiting/settleTasks';
import { byInputItem, settleTasks } from '../shared/waiting/settleTasks';
import { readDownloadSettings, readWaitSettings } from '../shared/waiting/waitForTasks';

/**
 * Waits for the tasks of all input items at once. Completed tasks leave by output 0; failed and timed-out ones by
 * output 1 with their id, last status and an error. Every input item leaves by exactly one of them.
 */
export async function waitUntilDone(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const invalid: INodeExecutionData[] = [];
	const tasks: TaskItem[] = [];
	ctx.getInputData().forEach((item, itemIndex) => {
		try {
			const task = parseTaskId(ctx.getNodeParameter('taskId', itemIndex), 'taskId');
			tasks.push({ itemIndex, task, model: typeof item.json.model === 'string' ? item.json.model : undefined, json: {} });
		} catch (error) {
			const itemError = toItemError(ctx, error, itemIndex);
			if (!ctx.continueOnFail()) throw itemError;
			invalid.push(errorItem(itemError, itemIndex));
		}
	});

	const { completed, failed } = await settleTasks(ctx, tasks, readWaitSettings(ctx), readDownloadSettings(ctx));
	return [completed.sort(byInputItem), [...failed, ...invalid].sort(byInputItem)];
}
