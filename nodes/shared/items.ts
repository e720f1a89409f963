import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem, toItemError } from './errors';

/**
 * Whether the node runs as an AI agent's tool (n8n names the tool version of a node `<type>Tool`, and its own
 * nodes tell tool calls apart by that name too). A tool's thrown error reaches the model as an empty result, so
 * in a tool a failing item becomes an item that says what went wrong, as under Continue On Fail.
 */
export function runsAsTool(ctx: IExecuteFunctions): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

/** Whether a failing item becomes an output item (Continue On Fail, or a tool call) instead of failing the node. */
export function continuesOnFail(ctx: IExecuteFunctions): boolean {
	return ctx.continueOnFail() || runsAsTool(ctx);
}

/** The index of the input item an output item is paired with (0 when it names none). */
export function inputItemIndexOf(item: INodeExecutionData): number {
	const paired = item.pairedItem;
	// n8n also takes the index alone (`pairedItem: 2`).
	if (typeof paired === 'number') return paired;
	return typeof paired === 'object' && paired !== null && !Array.isArray(paired) ? paired.item : 0;
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
			const itemError = toItemError(ctx.getNode(), error, itemIndex);
			if (!continuesOnFail(ctx)) throw itemError;
			results.push(errorItem(itemError, itemIndex));
		}
	}
	return results;
}
