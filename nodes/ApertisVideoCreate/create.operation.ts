import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { resolveModel } from '../shared/catalogue/models';
import { parameterFields, requestBody } from '../shared/catalogue/parameters';
import { requireCreatedId } from '../shared/batch';
import { createNodeFields, modelField, promptField } from '../shared/descriptions';
import { apertisRequest } from '../shared/transport/apertisRequest';

export const properties: INodeProperties[] = [
	modelField(
		'videoCreate',
		'veo3',
		'The model that generates the video. Can be an expression (e.g. a spreadsheet column); it is checked when the workflow runs.',
	),
	promptField('A serene lake with mountains in the background at sunset'),
	...parameterFields('videoCreate'),
	...createNodeFields,
];

/**
 * Checks one item against its (resolved) model and returns its create, POST /v1/video/create, ready to send: the
 * batch sends it once every item has passed its checks.
 */
export async function prepare(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<() => Promise<INodeExecutionData>> {
	const model = resolveModel('videoCreate', ctx.getNodeParameter('model', itemIndex));
	const body = requestBody(model, (name) => ctx.getNodeParameter(name, itemIndex, undefined));
	return async () => {
		const task = await apertisRequest(ctx, {
			method: 'POST',
			path: '/v1/video/create',
			body,
			kind: 'create',
			itemIndex,
		});
		return { json: requireCreatedId(ctx, task, itemIndex) };
	};
}
