import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem, toItemError } from './errors';

/** The index of the input item an output item is paired with (0 when it names none). */
export function inputItemIndexOf(item: INodeExecutionData): number {
	const paired = item.pairedItem;
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
			if (!ctx.continueOnFail()) throw itemError;
			results.push(errorItem(itemError, itemIndex));
		}
	}
	return results;
}
