import FormData from 'form-data';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { InputImage } from '../shared/binary/inputImage';
import { inputImageField, readInputImage } from '../shared/binary/inputImage';
import { resolveModel } from '../shared/catalogue/models';
import { parameterFields, requestBody } from '../shared/catalogue/parameters';
import { requireCreatedId } from '../shared/batch';
import { createNodeFields, modelField, promptField } from '../shared/descriptions';
import { apertisRequest } from '../shared/transport/apertisRequest';

export const properties: INodeProperties[] = [
	modelField('videos', 'veo_3_1'),
	promptField('The camera slowly pulls back as the lake ripples'),
	inputImageField,
	...parameterFields('videos'),
	...createNodeFields,
];

/**
 * Checks one item and its image (by its bytes) and returns its create, POST /v1/videos as multipart/form-data, ready
 * to send: the batch sends it once every item has passed its checks.
 */
export async function prepare(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<() => Promise<INodeExecutionData>> {
	const model = resolveModel('videos', ctx.getNodeParameter('model', itemIndex));
	const fields = requestBody(model, (name) => ctx.getNodeParameter(name, itemIndex, undefined));
	const image = await readInputImage(ctx, itemIndex);
	return async () => {
		const task = await apertisRequest(ctx, {
			method: 'POST',
			path: '/v1/videos',
			// Built anew for each attempt (a retry after 429): a multipart stream can be read only once.
			body: async () => await multipartBody(fields, image),
			kind: 'create',
			itemIndex,
		});
		return { json: requireCreatedId(ctx, task, itemIndex) };
	};
}

/**
 * The multipart/form-data body: every field as a string, and the image in `input_reference`. The image stream is
 * appended with its known length, so the request has a Content-Length and the image is piped from n8n's binary
 * store without being buffered.
 */
async function multipartBody(fields: IDataObject, image: InputImage): Promise<FormData> {
	const form = new FormData();
	for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
	form.append('input_reference', await image.open(), {
		filename: image.fileName,
		contentType: image.mimeType,
		knownLength: image.size,
	});
	return form;
}
