import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import {
	downloadFields,
	pollFields,
	readDownloadSettings,
	readWaitSettings,
} from '../shared/descriptions';
import { errorItem, toItemError } from '../shared/errors';
import { continuesOnFail, runsAsTool } from '../shared/items';
import { parseTaskId } from '../shared/taskIds';
import type { TaskItem } from '../shared/waiting/settleTasks';
import { byInputItem, settleTasks } from '../shared/waiting/settleTasks';
import { handOffField, readHandOffAfter, waitingSinceOf } from '../shared/waiting/handOff';
import { createdAtOf, isAboutTask } from '../shared/waiting/waitForTasks';

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
	handOffField,
	...downloadFields('binaryPropertyName'),
];

/**
 * The node's outputs for its parameters. n8n evaluates this in the editor and at run time from its source text, so
 * it must not refer to anything outside itself.
 */
export function outputsFor(parameters: {
	handOffAfter?: number;
}): Array<{ type: 'main'; displayName: string }> {
	const names = ['Completed', 'Failed'];
	if (Number(parameters.handOffAfter) > 0) names.push('Still Running');
	return names.map((displayName) => ({ type: 'main', displayName }));
}

/**
 * Waits for the tasks of all input items at once. Completed tasks leave by output 0; failed and timed-out ones by
 * output 1 with their id, last status and an error; with a hand-off, tasks still running then leave by output 2.
 * Every input item leaves by exactly one of them.
 */
export async function execute(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const invalid: INodeExecutionData[] = [];
	const tasks: TaskItem[] = [];
	ctx.getInputData().forEach((item, itemIndex) => {
		try {
			const task = parseTaskId(ctx.getNodeParameter('taskId', itemIndex));
			const model = typeof item.json.model === 'string' ? item.json.model : undefined;
			const createdAtMs = createdAtOf(item.json, task.id);
			const waitingSinceMs = waitingSinceOf(item.json);
			// An item about this task (a create's answer, a Still Running item) keeps what it says, e.g. its status.
			const json = isAboutTask(item.json, task.id) ? item.json : {};
			tasks.push({ itemIndex, task, model, waitingSinceMs, createdAtMs, json });
		} catch (error) {
			const itemError = toItemError(ctx.getNode(), error, itemIndex);
			if (!continuesOnFail(ctx)) throw itemError;
			invalid.push(errorItem(itemError, itemIndex));
		}
	});
	const download = readDownloadSettings(ctx, 'binaryPropertyName');
	const handOffAfterMinutes = readHandOffAfter(ctx);
	const settings = { ...readWaitSettings(ctx), handOffAfterMinutes };
	const { completed, failed, stillRunning } = await settleTasks(ctx, tasks, settings, download);
	// An agent reads a tool's first output only: as a tool, every task is reported there, each with its status.
	if (runsAsTool(ctx))
		return [[...completed, ...failed, ...invalid, ...stillRunning].sort(byInputItem)];
	const outputs = [completed.sort(byInputItem), [...failed, ...invalid].sort(byInputItem)];
	return handOffAfterMinutes > 0 ? [...outputs, stillRunning.sort(byInputItem)] : outputs;
}
