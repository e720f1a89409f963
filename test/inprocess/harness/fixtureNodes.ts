import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

/** A test node's description: one main input and one main output. */
export function testNodeDescription(
	own: Pick<INodeTypeDescription, 'displayName' | 'name' | 'description' | 'properties'> &
		Partial<INodeTypeDescription>,
): INodeTypeDescription {
	return {
		group: ['transform'],
		version: 1,
		defaults: { name: own.displayName },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		...own,
	};
}

/**
 * Test input: emits the items given in its `items` parameter (JSON). An item's `binary` entries may give
 * `{ base64, fileName, mimeType }`; they are stored through n8n's own prepareBinaryData, as any upstream node would.
 */
export class TestItems implements INodeType {
	description = testNodeDescription({
		displayName: 'Test Items',
		name: 'testItems',
		description: 'Emits fixed items for tests',
		group: ['input'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string | object;
		const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{
			json: Record<string, unknown>;
			binary?: Record<string, { base64: string; fileName?: string; mimeType?: string }>;
		}>;
		const output: INodeExecutionData[] = [];
		for (const item of items) {
			const result: INodeExecutionData = { json: item.json as INodeExecutionData['json'] };
			if (item.binary) {
				result.binary = {};
				for (const [key, file] of Object.entries(item.binary)) {
					result.binary[key] = await this.helpers.prepareBinaryData(
						Buffer.from(file.base64, 'base64'),
						file.fileName,
						file.mimeType,
					);
				}
			}
			output.push(result);
		}
		return [output];
	}
}
