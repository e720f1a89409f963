import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { durationHints, modelIds } from '../shared/catalogue/models';
import { createTasksBatch, runPaidBatch } from '../shared/batch';
import { completeCreatedItems } from '../shared/waiting/waitForCompletion';
import * as create from './create.operation';

export class ApertisVideoCreate implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Apertis Video Create',
		name: 'apertisVideoCreate',
		icon: { light: 'file:apertis.svg', dark: 'file:apertis.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["model"]}}',
		description:
			'Start an Apertis video task from a text prompt (Veo 2, Veo 3, Veo 3.1, Sora 2). ' +
			`Needs a prompt and a model, one of: ${modelIds('videoCreate')}. ` +
			`Sora models also need at least one reference image URL and a duration (${durationHints('videoCreate')}). ` +
			'Returns the task id and its status at once, not the video: pass the id to Wait Until Done or Video Query',
		defaults: { name: 'Apertis Video Create' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'apertisApi', required: true }],
		properties: create.properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const batch = createTasksBatch(
			this,
			async (itemIndex) => await create.prepare(this, itemIndex),
		);
		const created = await runPaidBatch(this, batch);
		return [await completeCreatedItems(this, created)];
	}
}
