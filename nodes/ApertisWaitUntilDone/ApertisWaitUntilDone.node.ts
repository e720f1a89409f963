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
			'Wait for Apertis video tasks to finish, all items at once, for at most Timeout (30 minutes by default), and route completed and failed ones. Needs the task id from Video Create, Video From Image or Sora Chat Stream. Returns each task with its status and video_url, or an error',
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
