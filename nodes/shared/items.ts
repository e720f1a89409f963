import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { InvalidParameter, labelOf } from './validation/invalidParameter';

/** The task id an error belongs to, when a task was created before it: it must reach the user. */
export function taskIdOf(error: unknown): string | undefined {
	const context = (error as { context?: IDataObject })?.context;
	return typeof context?.taskId === 'string' ? context.taskId : undefined;
}

export function withTaskId<E extends NodeApiError | NodeOperationError>(error: E, taskId: string | undefined): E {
	if (taskId) {
		error.context.taskId = taskId;
		if (!error.description?.includes(taskId)) {
			error.description = `${error.description ? `${error.description} ` : ''}Task id: ${taskId}.`;
		}
	}
	return error;
}

/** Turns whatever an item's work threw into an n8n error that names the item (and the parameter, if any). */
export function toItemError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof InvalidParameter) {
		return new NodeOperationError(ctx.getNode(), `${error.message} [item ${itemIndex}]`, {
			itemIndex,
			description: `Parameter "${labelOf(error.parameter)}" (${error.parameter}) of item ${itemIndex}.${error.hint ? ` ${error.hint}` : ''} No request was sent for this item.`,
		});
	}
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(ctx.getNode(), `${message} [item ${itemIndex}]`, { itemIndex });
}

/** The index of the input item an output item is paired with (0 when it names none). */
export function inputItemIndexOf(item: INodeExecutionData): number {
	const paired = item.pairedItem;
	return typeof paired === 'object' && paired !== null && !Array.isArray(paired) ? paired.item : 0;
}

/** The output item of a failed input item under Continue On Fail: the error, and the task id if one exists. */
export function errorItem(error: NodeApiError | NodeOperationError, itemIndex: number): INodeExecutionData {
	const taskId = taskIdOf(error);
	const json: IDataObject = { error: error.message };
	if (error.description) json.errorDescription = error.description;
	if (taskId) json.id = taskId;
	return { json, pairedItem: { item: itemIndex } };
}

/**
 * Runs `work` for every input item in order. A failing item throws (naming the item), or under Continue On Fail
 * becomes an item with `json.error` while the others go on. Every output item is paired with its input item.
 */
export async function mapItems(
	ctx: IExecuteFunctions,
	work: (itemIndex: number, item: INodeExecutionData) => Promise<INodeExecutionData>,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const results: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const result = await work(itemIndex, items[itemIndex]);
			results.push({ ...result, pairedItem: { item: itemIndex } });
		} catch (error) {
			const itemError = toItemError(ctx, error, itemIndex);
			if (!ctx.continueOnFail()) throw itemError;
			results.push(errorItem(itemError, itemIndex));
		}
	}
	return results;
}
