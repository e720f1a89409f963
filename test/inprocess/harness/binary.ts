import type { INodeExecutionData } from 'n8n-workflow';

/** The bytes of an item's binary property, as n8n's default (in-memory) binary mode stores them. */
export async function binaryBytes(item: INodeExecutionData, key: string): Promise<Buffer> {
	const binary = item.binary?.[key];
	if (!binary) throw new Error(`The item has no binary property "${key}" (it has: ${Object.keys(item.binary ?? {}).join(', ') || 'none'})`);
	if (binary.id) throw new Error(`Binary "${key}" is stored by reference (${binary.id}); the in-process harness reads in-memory data only`);
	return Buffer.from(binary.data, 'base64');
}
