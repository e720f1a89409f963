import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import {
	downloadFields,
	pollFields,
	readDownloadSettings,
	readWaitSettings,
} from '../shared/descriptions';
import { errorItem, toItemError } from '../shared/errors';
import { parseTaskId } from '../shared/taskIds';
import type { TaskItem } from '../shared/waiting/settleTasks';
import { byInputItem, settleTasks } from '../shared/waiting/settleTasks';

export const properties: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '={{ $json.id ?? $json.task_id }}',
		required: true,
		description:
			'The ID of the task to wait for: "veo3:…"/"sora-2:…" from Video Create or Sora Chat Stream, "video_…" from Video From Image',
	},
	...pollFields,
	...downloadFields('binaryPropertyName'),
];

/**
 * Waits for the tasks of all input items at once. Completed tasks leave by output 0; failed and timed-out ones by
 * output 1 with their id, last status and an error. Every input item leaves by exactly one of them.
 */
export async function execute(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const invalid: INodeExecutionData[] = [];
	const tasks: TaskItem[] = [];
	ctx.getInputData().forEach((item, itemIndex) => {
		try {
			const task = parseTaskId(ctx.getNodeParameter('taskId', itemIndex));
			const model = typeof item.json.model === 'string' ? item.json.model : undefined;
			tasks.push({ itemIndex, task, model, json: {} });
		} catch (error) {
			const itemError = toItemError(ctx.getNode(), error, itemIndex);
			if (!ctx.continueOnFail()) throw itemError;
			invalid.push(errorItem(itemError, itemIndex));
		}
	});
	const download = readDownloadSettings(ctx, 'binaryPropertyName');
	const { completed, failed } = await settleTasks(ctx, tasks, readWaitSettings(ctx), download);
	return [completed.sort(byInputItem), [...failed, ...invalid].sort(byInputItem)];
}
