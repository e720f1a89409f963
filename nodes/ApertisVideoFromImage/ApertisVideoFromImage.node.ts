import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { modelIds } from '../shared/catalogue/models';
import { createTasksBatch, runPaidBatch } from '../shared/batch';
import { completeCreatedItems } from '../shared/waiting/waitForCompletion';
import * as fromImage from './fromImage.operation';

export class ApertisVideoFromImage implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Apertis Video From Image',
		name: 'apertisVideoFromImage',
		icon: { light: 'file:apertis.svg', dark: 'file:apertis.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["model"]}}',
		description:
			`Start a Veo 3.1 video task (model: ${modelIds('videos')}) from a reference image in the incoming binary data and a prompt. ` +
			'Returns the task id (video_…) and its status: pass the id to Wait Until Done or Video Query',
		defaults: { name: 'Apertis Video From Image' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'apertisApi', required: true }],
		properties: fromImage.properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const batch = createTasksBatch(
			this,
			async (itemIndex) => await fromImage.prepare(this, itemIndex),
		);
		const created = await runPaidBatch(this, batch);
		return [await completeCreatedItems(this, created)];
	}
}
