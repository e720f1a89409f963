import type { ModelSpec } from '../catalogue/models';
import { findModel, modelsForEndpoint } from '../catalogue/models';
import { InvalidParameter, requireNonEmptyText, requireOneOf } from './invalidParameter';

export interface FromImageFields {
	model: string;
	prompt: string;
	/** The API takes form fields as strings: "5", "true". */
	seconds: string;
	size: string;
	watermark: string;
}

export function resolveFromImageModel(value: unknown): ModelSpec {
	const id = requireNonEmptyText('model', value);
	const model = findModel(id);
	if (model?.endpoint === 'videos') return model;
	const hint =
		model?.endpoint === 'videoCreate'
			? `${id} is a text-to-video model: use the Apertis Video Create node.`
			: `Use one of: ${modelsForEndpoint('videos').map((m) => m.id).join(', ')}.`;
	throw new InvalidParameter('model', `Model "${id}" is not a Video From Image model`, hint);
}

/** Checks one item's fields for POST /v1/videos and formats them as the strings the API expects. */
export function buildFromImageFields(
	model: ModelSpec,
	input: { prompt: unknown; seconds: unknown; size: unknown; watermark: unknown },
): FromImageFields {
	const secondsText = String(input.seconds ?? '').trim();
	if (!/^[1-9]\d*$/.test(secondsText)) {
		throw new InvalidParameter('seconds', `Seconds "${secondsText}" is not a positive whole number`, 'Enter the video length in whole seconds, e.g. 5.');
	}
	return {
		model: model.id,
		prompt: requireNonEmptyText('prompt', input.prompt),
		seconds: secondsText,
		size: requireOneOf('size', String(input.size ?? ''), model.sizes ?? [], `by model ${model.id}`),
		watermark: input.watermark === true ? 'true' : 'false',
	};
}
