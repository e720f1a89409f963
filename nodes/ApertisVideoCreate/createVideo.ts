import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { CreateParameter } from '../shared/catalogue/models';
import { buildVideoCreateBody, resolveCreateModel } from '../shared/validation/videoCreate';
import { apertisRequest } from '../shared/transport/apertisRequest';

/** Validates one item against its (resolved) model, then creates the task: POST /v1/video/create. */
export async function createVideo(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData> {
	const model = resolveCreateModel(ctx.getNodeParameter('model', itemIndex));
	const input: Record<string, unknown> = {};
	for (const parameter of model.parameters) {
		input[parameter] = ctx.getNodeParameter(parameter satisfies CreateParameter, itemIndex, undefined);
	}
	const body = buildVideoCreateBody(model, {
		...input,
		model: model.id,
		prompt: ctx.getNodeParameter('prompt', itemIndex, ''),
	});
	const task = await apertisRequest<IDataObject>(ctx, {
		method: 'POST',
		path: '/v1/video/create',
		body,
		kind: 'create',
		itemIndex,
	});
	return { json: task };
}
