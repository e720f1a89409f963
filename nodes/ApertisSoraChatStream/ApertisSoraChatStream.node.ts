import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { modelIds } from '../shared/catalogue/models';
import { runPaidBatch } from '../shared/batch';
import { idText } from '../shared/taskIds';
import * as stream from './stream.operation';

export class ApertisSoraChatStream implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Apertis Sora Chat Stream',
		name: 'apertisSoraChatStream',
		icon: { light: 'file:apertis.svg', dark: 'file:apertis.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["model"]}}',
		description:
			`Generate a Sora 2 video from a prompt (model: ${modelIds('chatStream')}) through chat completions, ` +
			'following its progress as it streams, until the video is ready or the Timeout option passes (30 minutes by default). Returns task_id, status, progress and video_url',
		defaults: { name: 'Apertis Sora Chat Stream' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'apertisApi', required: true }],
		properties: stream.properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const batch = {
			prepare: async (itemIndex: number) => await stream.prepare(this, itemIndex),
			taskIdOf: (item: INodeExecutionData) => idText(item.json.task_id),
		};
		return [await runPaidBatch(this, batch)];
	}
}
