/**
 * The model catalogue: every model of the Apertis Video API, as data.
 *
 * Display rules (catalogue/properties.ts), run-time validation (validation/) and the README's model table all
 * derive from this file. To add a model, add one entry here; nothing else should need an `if`.
 */

/** Which create endpoint a model belongs to. */
export type ModelEndpoint = 'videoCreate' | 'videos';

export type ModelFamily = 'veo2' | 'veo3' | 'veo3.1' | 'sora2';

/**
 * Parameters of POST /v1/video/create, by their n8n (camelCase) names. `imageUrls` maps to the API's `images`.
 */
export type CreateParameter =
	| 'enhancePrompt'
	| 'enableUpsample'
	| 'aspectRatio'
	| 'imageUrls'
	| 'orientation'
	| 'size'
	| 'duration'
	| 'watermark'
	| 'private'
	| 'characterUrl'
	| 'characterTimestamps';

export interface ImageLimits {
	/** At least this many reference images (Sora requires one). */
	min: number;
	/** At most this many; undefined where the API document sets no limit. */
	max?: number;
	/** What the images mean for this model, shown in the editor. */
	role: string;
}

export interface ModelSpec {
	id: string;
	displayName: string;
	description: string;
	family: ModelFamily;
	endpoint: ModelEndpoint;
	/** Create parameters this model takes (videoCreate models only). */
	parameters: readonly CreateParameter[];
	images?: ImageLimits;
	aspectRatios?: readonly string[];
	/** Sora: durations in seconds the model accepts. */
	durations?: readonly number[];
	/** /v1/videos models: accepted `size` values. */
	sizes?: readonly string[];
}

const VEO_BASE: readonly CreateParameter[] = ['enhancePrompt', 'enableUpsample'];
const VEO3_ASPECT_RATIOS = ['16:9', '9:16'] as const;
const SORA_PARAMETERS: readonly CreateParameter[] = [
	'imageUrls',
	'orientation',
	'size',
	'duration',
	'watermark',
	'private',
	'characterUrl',
	'characterTimestamps',
];

function veo2(id: string, displayName: string, description: string, images?: ImageLimits): ModelSpec {
	return {
		id,
		displayName,
		description,
		family: 'veo2',
		endpoint: 'videoCreate',
		parameters: images ? [...VEO_BASE, 'imageUrls'] : VEO_BASE,
		images,
	};
}

function veo3(
	id: string,
	displayName: string,
	description: string,
	family: 'veo3' | 'veo3.1',
	images?: ImageLimits,
): ModelSpec {
	return {
		id,
		displayName,
		description,
		family,
		endpoint: 'videoCreate',
		parameters: images ? [...VEO_BASE, 'aspectRatio', 'imageUrls'] : [...VEO_BASE, 'aspectRatio'],
		images,
		aspectRatios: VEO3_ASPECT_RATIOS,
	};
}

function sora2(id: string, displayName: string, description: string, durations: number[]): ModelSpec {
	return {
		id,
		displayName,
		description,
		family: 'sora2',
		endpoint: 'videoCreate',
		parameters: SORA_PARAMETERS,
		images: { min: 1, role: 'reference images (required)' },
		durations,
	};
}

/** Sizes of POST /v1/videos, as the API names them. */
export const VIDEOS_SIZES = ['16x9', '720x1280'] as const;

function veo31Videos(id: string, displayName: string, description: string): ModelSpec {
	return {
		id,
		displayName,
		description,
		family: 'veo3.1',
		endpoint: 'videos',
		parameters: [],
		sizes: VIDEOS_SIZES,
	};
}

export const MODELS: readonly ModelSpec[] = [
	veo2('veo2', 'Veo 2', 'Veo 2 base model'),
	veo2('veo2-fast', 'Veo 2 Fast', 'Veo 2 fast generation'),
	veo2('veo2-pro', 'Veo 2 Pro', 'Veo 2 professional quality'),
	veo2('veo2-fast-frames', 'Veo 2 Fast Frames', 'Veo 2 with first and last frame references', {
		min: 0,
		max: 2,
		role: 'first and last frame',
	}),
	veo2('veo2-fast-components', 'Veo 2 Fast Components', 'Veo 2 with video element components', {
		min: 0,
		max: 3,
		role: 'video element components',
	}),
	veo3('veo3', 'Veo 3', 'Veo 3 base model', 'veo3'),
	veo3('veo3-fast', 'Veo 3 Fast', 'Veo 3 fast generation', 'veo3'),
	veo3('veo3-pro', 'Veo 3 Pro', 'Veo 3 professional quality', 'veo3'),
	veo3('veo3-pro-frames', 'Veo 3 Pro Frames', 'Veo 3 with a first frame reference', 'veo3', {
		min: 0,
		max: 1,
		role: 'first frame',
	}),
	veo3('veo3.1', 'Veo 3.1', 'Veo 3.1 latest model', 'veo3.1'),
	veo3('veo3.1-fast', 'Veo 3.1 Fast', 'Veo 3.1 fast generation', 'veo3.1'),
	sora2('sora-2', 'Sora 2', 'Sora 2 base model', [10]),
	sora2('sora-2-pro', 'Sora 2 Pro', 'Sora 2 professional quality', [10, 15, 25]),
	veo31Videos('veo_3_1', 'Veo 3.1 (Image to Video)', 'Veo 3.1 from a reference image'),
	veo31Videos('veo_3_1-fast', 'Veo 3.1 Fast (Image to Video)', 'Veo 3.1 fast from a reference image'),
];

/** Sora 2 values for `orientation` and `size` on /v1/video/create. */
export const SORA_ORIENTATIONS = ['portrait', 'landscape'] as const;
export const SORA_SIZES = ['small', 'large'] as const;

/** Sora 2 models also stream through /v1/chat/completions. */
export const CHAT_STREAM_MODEL_IDS = ['sora-2', 'sora-2-pro'] as const;

export function findModel(id: string): ModelSpec | undefined {
	return MODELS.find((model) => model.id === id);
}

/** The Sora models that also generate through POST /v1/chat/completions. */
export function chatStreamModels(): ModelSpec[] {
	return MODELS.filter((model) => (CHAT_STREAM_MODEL_IDS as readonly string[]).includes(model.id));
}

export function modelsForEndpoint(endpoint: ModelEndpoint): ModelSpec[] {
	return MODELS.filter((model) => model.endpoint === endpoint);
}

/** Ids of the models that take a create parameter, for display rules. */
export function modelIdsTaking(parameter: CreateParameter): string[] {
	return modelsForEndpoint('videoCreate')
		.filter((model) => model.parameters.includes(parameter))
		.map((model) => model.id);
}

export function modelTakes(model: ModelSpec, parameter: CreateParameter): boolean {
	return model.parameters.includes(parameter);
}
