import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { chatStreamModels } from '../shared/catalogue/models';
import { modelOptions, promptProperty } from '../shared/catalogue/properties';
import { mapItems } from '../shared/items';
import { downloadVideoProperties } from '../shared/nodeParameters';
import { streamVideo } from './streamVideo';

export class ApertisSoraChatStream implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Apertis Sora Chat Stream',
		name: 'apertisSoraChatStream',
		icon: { light: 'file:apertis.svg', dark: 'file:apertis.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["model"]}}',
		description: 'Generate a Sora 2 video through chat completions, following its progress as it streams',
		defaults: { name: 'Apertis Sora Chat Stream' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'apertisApi', required: true }],
		properties: [
			{
				displayName: 'Model',
				name: 'model',
				type: 'options',
				options: modelOptions(chatStreamModels()),
				default: 'sora-2',
			},
			promptProperty('Generate a video of a serene lake with mountains', 'What the video should show, sent as the user message'),
			...downloadVideoProperties,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Timeout (Minutes)',
						name: 'timeout',
						type: 'number',
						typeOptions: { minValue: 0.05 },
						default: 30,
						description:
							'How long to follow the stream. After that the item fails with the task ID, so a Query or Wait Until Done node can pick the task up.',
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await mapItems(this, async (itemIndex) => await streamVideo(this, itemIndex))];
	}
}
