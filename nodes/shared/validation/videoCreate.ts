import type { IDataObject } from 'n8n-workflow';

import type { CreateParameter, ModelSpec } from '../catalogue/models';
import { findModel, modelsForEndpoint, modelTakes, SORA_ORIENTATIONS, SORA_SIZES } from '../catalogue/models';
import {
	InvalidParameter,
	requireHttpUrl,
	requireNonEmptyText,
	requireOneOf,
} from './invalidParameter';

/** Parameter values as n8n resolved them for one item; only those the model takes are read. */
export type CreateInput = Partial<Record<CreateParameter, unknown>> & { model: unknown; prompt: unknown };

/** Resolves the model id of an item (it may come from an expression) against the catalogue. */
export function resolveCreateModel(value: unknown): ModelSpec {
	const id = requireNonEmptyText('model', value);
	const model = findModel(id);
	if (model?.endpoint === 'videoCreate') return model;
	const hint =
		model?.endpoint === 'videos'
			? `${id} generates from an uploaded image: use the Apertis Video From Image node.`
			: `Use one of: ${modelsForEndpoint('videoCreate').map((m) => m.id).join(', ')}.`;
	throw new InvalidParameter('model', `Model "${id}" is not a Video Create model`, hint);
}

/** Image URLs from a multi-value field or an expression that returned an array or a newline-separated list. */
export function normalizeImageUrls(value: unknown): string[] {
	const flat: unknown[] = Array.isArray(value) ? value.flat(2) : [value];
	return flat
		.flatMap((entry) => (typeof entry === 'string' ? entry.split(/\r?\n/) : entry === undefined || entry === null ? [] : [String(entry)]))
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
}

const CHARACTER_TIMESTAMPS = /^\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*$/;

/**
 * Builds the JSON body of POST /v1/video/create for one item, or throws InvalidParameter. Parameters the model
 * does not take are never read and never sent.
 */
export function buildVideoCreateBody(model: ModelSpec, input: CreateInput): IDataObject {
	const body: IDataObject = { model: model.id, prompt: requireNonEmptyText('prompt', input.prompt) };
	const takes = (parameter: CreateParameter) => modelTakes(model, parameter);
	const forModel = `by model ${model.id}`;

	if (takes('enhancePrompt')) body.enhance_prompt = input.enhancePrompt === true;
	if (takes('enableUpsample')) body.enable_upsample = input.enableUpsample === true;
	if (takes('aspectRatio') && input.aspectRatio !== undefined && input.aspectRatio !== '') {
		body.aspect_ratio = requireOneOf('aspectRatio', String(input.aspectRatio), model.aspectRatios ?? [], forModel);
	}
	if (takes('imageUrls') && model.images) {
		const urls = normalizeImageUrls(input.imageUrls);
		const { min, max } = model.images;
		if (max !== undefined && urls.length > max) {
			throw new InvalidParameter('imageUrls', `Model ${model.id} takes at most ${max} reference image${max > 1 ? 's' : ''}, got ${urls.length}`, `Remove ${urls.length - max} of the image URLs.`);
		}
		if (urls.length < min) {
			throw new InvalidParameter('imageUrls', `Model ${model.id} needs at least ${min} reference image URL`, 'Add a public http(s) URL of a reference image.');
		}
		urls.forEach((url) => requireHttpUrl('imageUrls', url));
		if (urls.length > 0) body.images = urls;
	}
	if (takes('orientation')) body.orientation = requireOneOf('orientation', String(input.orientation ?? 'landscape'), SORA_ORIENTATIONS, forModel);
	if (takes('size')) body.size = requireOneOf('size', String(input.size ?? 'small'), SORA_SIZES, forModel);
	if (takes('duration')) body.duration = requireOneOf('duration', toWholeNumber(input.duration), model.durations ?? [], forModel);
	if (takes('watermark')) body.watermark = input.watermark !== false;
	if (takes('private')) body.private = input.private === true;
	addCharacter(body, model, input);
	return body;
}

function addCharacter(body: IDataObject, model: ModelSpec, input: CreateInput): void {
	if (!modelTakes(model, 'characterUrl')) return;
	const url = typeof input.characterUrl === 'string' ? input.characterUrl.trim() : '';
	const timestamps = typeof input.characterTimestamps === 'string' ? input.characterTimestamps.trim() : '';
	if (url) body.character_url = requireHttpUrl('characterUrl', url);
	if (!timestamps) return;
	if (!url) {
		throw new InvalidParameter('characterTimestamps', 'Character timestamps are set but Character URL is empty', 'Set Character URL to the 1–3 second video the timestamps refer to, or clear the timestamps.');
	}
	const match = CHARACTER_TIMESTAMPS.exec(timestamps);
	if (!match || Number(match[1]) >= Number(match[2])) {
		throw new InvalidParameter('characterTimestamps', `Character timestamps "${timestamps}" are not "{start},{end}" with start before end`, 'Write them as two numbers of seconds, e.g. 0,3.');
	}
	body.character_timestamps = `${match[1]},${match[2]}`;
}

function toWholeNumber(value: unknown): number {
	const number = typeof value === 'number' ? value : Number(String(value ?? '').trim());
	return Number.isInteger(number) ? number : NaN;
}
