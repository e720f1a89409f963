import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { readInputImage } from '../shared/binary/inputImage';
import { apertisRequest } from '../shared/transport/apertisRequest';
import { buildFromImageFields, resolveFromImageModel } from '../shared/validation/videoFromImage';
import { buildMultipartBody } from './multipartBody';

/** Checks one item and its image, then creates the task: POST /v1/videos as multipart/form-data. */
export async function createFromImage(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData> {
	const model = resolveFromImageModel(ctx.getNodeParameter('model', itemIndex));
	const fields = buildFromImageFields(model, {
		prompt: ctx.getNodeParameter('prompt', itemIndex, ''),
		seconds: ctx.getNodeParameter('seconds', itemIndex, ''),
		size: ctx.getNodeParameter('size', itemIndex, ''),
		watermark: ctx.getNodeParameter('watermark', itemIndex, false),
	});
	const image = await readInputImage(ctx, itemIndex, ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string);
	const task = await apertisRequest<IDataObject>(ctx, {
		method: 'POST',
		path: '/v1/videos',
		// Built anew for each attempt (a retry after 429): a multipart stream can be read only once.
		body: async () => await buildMultipartBody(fields, image),
		kind: 'create',
		itemIndex,
	});
	return { json: task };
}
