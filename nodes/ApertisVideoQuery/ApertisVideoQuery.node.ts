import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { mapItems } from '../shared/items';
import * as query from './query.operation';

export class ApertisVideoQuery implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Apertis Video Query',
		name: 'apertisVideoQuery',
		icon: { light: 'file:apertis.svg', dark: 'file:apertis.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["taskId"]}}',
		description:
			'Get the status of an Apertis video task by its id (veo3:… or video_…), and download the video once it is ready. Returns status (pending, processing, completed or failed) and, when completed, video_url',
		defaults: { name: 'Apertis Video Query' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'apertisApi', required: true }],
		properties: query.properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await mapItems(this, async (itemIndex) => await query.execute(this, itemIndex))];
	}
}
