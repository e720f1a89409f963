import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as wait from './wait.operation';

export class ApertisWaitUntilDone implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Apertis Wait Until Done',
		name: 'apertisWaitUntilDone',
		icon: { light: 'file:apertis.svg', dark: 'file:apertis.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '=up to {{$parameter["timeout"]}} min',
		description:
			'Query the status of Apertis video tasks (GET /v1/video/query or /v1/videos/{id}), all items at once, until each task is finished or Timeout (30 minutes by default) has passed. Needs the task id from Video Create, Video From Image or Sora Chat Stream. Returns each task with its status and video_url (Completed output) or with an error (Failed output)',
		defaults: { name: 'Apertis Wait Until Done' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// A third output, Still Running, exists only while Hand Off After is above 0.
		outputs: `={{(${wait.outputsFor})($parameter)}}`,
		credentials: [{ name: 'apertisApi', required: true }],
		properties: wait.properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await wait.execute(this);
	}
}
