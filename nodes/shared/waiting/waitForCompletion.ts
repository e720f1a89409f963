import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { inputItemIndexOf } from '../items';
import { downloadVideoPropertiesWhen } from '../nodeParameters';
import { parseTaskId } from '../taskIds';
import { waitPollingProperties } from './properties';
import type { TaskItem } from './settleTasks';
import { byInputItem, settleTasks } from './settleTasks';
import { readDownloadSettings, readWaitSettings } from './waitForTasks';

const WHEN_WAITING = { waitForCompletion: [true] };

/** "Wait for Completion" on the create nodes: off by default; when on, the polling and download parameters. */
export const waitForCompletionProperties: INodeProperties[] = [
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: false,
		description:
			'Whether to wait until the videos are done before going on. All items are waited for at once. To route failed tasks to their own branch, use the Apertis Wait Until Done node instead.',
	},
	...waitPollingProperties({ show: WHEN_WAITING }),
	...downloadVideoPropertiesWhen(WHEN_WAITING),
];

/**
 * With Wait for Completion on, waits for the tasks the node just created and returns their final state, in input
 * order. A task that fails or times out fails the node (naming every task id, finished or not), or under Continue
 * On Fail becomes an item with its id, status and `error`.
 */
export async function completeCreatedItems(ctx: IExecuteFunctions, created: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	if (!(ctx.getNodeParameter('waitForCompletion', 0, false) as boolean)) return created;
	const tasks: TaskItem[] = [];
	const notCreated: INodeExecutionData[] = [];
	for (const item of created) {
		const itemIndex = inputItemIndexOf(item);
		if (item.json.error !== undefined || typeof item.json.id !== 'string') notCreated.push(item);
		else tasks.push({ itemIndex, task: parseTaskId(item.json.id), model: typeof item.json.model === 'string' ? item.json.model : undefined, json: item.json });
	}

	const { completed, failed } = await settleTasks(ctx, tasks, readWaitSettings(ctx), readDownloadSettings(ctx));
	if (failed.length > 0 && !ctx.continueOnFail()) {
		const lines = failed.map((item) => `${String(item.json.id)}: ${String(item.json.error)}`);
		const done = completed.map((item) => String(item.json.id));
		throw new NodeOperationError(ctx.getNode(), `${failed.length} of ${tasks.length} video task(s) did not complete`, {
			description: `${lines.join('; ')}.${done.length ? ` Completed: ${done.join(', ')}.` : ''} Turn on Continue On Fail to keep going with the failed items, or use Wait Until Done to route them.`,
			itemIndex: inputItemIndexOf(failed[0]),
		});
	}
	return [...completed, ...failed, ...notCreated].sort(byInputItem);
}
