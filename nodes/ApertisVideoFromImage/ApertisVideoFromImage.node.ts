import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { modelOptions, promptProperty, videosSizeOptions } from '../shared/catalogue/properties';
import { modelsForEndpoint } from '../shared/catalogue/models';
import { mapItems } from '../shared/items';
import { completeCreatedItems, waitForCompletionProperties } from '../shared/waiting/waitForCompletion';
import { createFromImage } from './createFromImage';

const models = modelsForEndpoint('videos');

export class ApertisVideoFromImage implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Apertis Video From Image',
		name: 'apertisVideoFromImage',
		icon: { light: 'file:apertis.svg', dark: 'file:apertis.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["model"]}}',
		description: 'Start a Veo 3.1 video from a reference image in the incoming binary data',
		defaults: { name: 'Apertis Video From Image' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'apertisApi', required: true }],
		properties: [
			{
				displayName: 'Model',
				name: 'model',
				type: 'options',
				options: modelOptions(models),
				default: 'veo_3_1',
			},
			promptProperty('The camera slowly pulls back as the lake ripples'),
			{
				displayName: 'Input Binary Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
				required: true,
				hint: 'The name of the input binary field holding the reference image (JPEG, PNG, WebP or GIF)',
			},
			{
				displayName: 'Seconds',
				name: 'seconds',
				type: 'number',
				typeOptions: { minValue: 1, numberPrecision: 0 },
				default: 5,
				description: 'Video duration in whole seconds',
			},
			{
				displayName: 'Size',
				name: 'size',
				type: 'options',
				options: videosSizeOptions(),
				default: '16x9',
			},
			{
				displayName: 'Watermark',
				name: 'watermark',
				type: 'boolean',
				default: false,
				description: 'Whether the video carries a watermark',
			},
			...waitForCompletionProperties,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const created = await mapItems(this, async (itemIndex) => await createFromImage(this, itemIndex));
		return [await completeCreatedItems(this, created)];
	}
}
