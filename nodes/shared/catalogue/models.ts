import { requireNonEmptyText } from '../checks';
import type { FieldRef } from '../errors';
import { InvalidParameter } from '../errors';

/**
 * The model catalogue: one entry per model of the Apertis Video API, as data. Which fields a model shows, what is
 * checked and sent for it (parameters.ts), which node offers it, and the README's model table all derive from
 * these entries. To add a model, add one entry here.
 */

/** Which create endpoint a model belongs to: POST /v1/video/create (JSON) or POST /v1/videos (multipart). */
export type ModelEndpoint = 'videoCreate' | 'videos';

export type ModelFamily = 'veo2' | 'veo3' | 'veo3.1' | 'sora2';

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
	/** Also generates through POST /v1/chat/completions with `stream: true` (Sora Chat Stream). */
	streams: boolean;
	images?: ImageLimits;
	aspectRatios?: readonly string[];
	/** Sora: durations in seconds the model accepts. */
	durations?: readonly number[];
	/** /v1/videos models: accepted sizes. */
	sizes?: readonly string[];
}

type Entry = Omit<ModelSpec, 'family' | 'endpoint' | 'streams'>;

function veo2(entry: Entry): ModelSpec {
	return { ...entry, family: 'veo2', endpoint: 'videoCreate', streams: false };
}

function veo3(family: 'veo3' | 'veo3.1', entry: Entry): ModelSpec {
	return {
		...entry,
		family,
		endpoint: 'videoCreate',
		streams: false,
		aspectRatios: ['16:9', '9:16'],
	};
}

function sora2(entry: Entry): ModelSpec {
	const images = { min: 1, role: 'reference images (required)' };
	return { images, ...entry, family: 'sora2', endpoint: 'videoCreate', streams: true };
}

function veo31FromImage(entry: Entry): ModelSpec {
	return {
		...entry,
		family: 'veo3.1',
		endpoint: 'videos',
		streams: false,
		sizes: ['16x9', '720x1280'],
	};
}

export const MODELS: readonly ModelSpec[] = [
	veo2({ id: 'veo2', displayName: 'Veo 2', description: 'Veo 2 base model' }),
	veo2({ id: 'veo2-fast', displayName: 'Veo 2 Fast', description: 'Veo 2 fast generation' }),
	veo2({ id: 'veo2-pro', displayName: 'Veo 2 Pro', description: 'Veo 2 professional quality' }),
	veo2({
		id: 'veo2-fast-frames',
		displayName: 'Veo 2 Fast Frames',
		description: 'Veo 2 with first and last frame references',
		images: { min: 0, max: 2, role: 'first and last frame' },
	}),
	veo2({
		id: 'veo2-fast-components',
		displayName: 'Veo 2 Fast Components',
		description: 'Veo 2 with video element components',
		images: { min: 0, max: 3, role: 'video element components' },
	}),
	veo3('veo3', { id: 'veo3', displayName: 'Veo 3', description: 'Veo 3 base model' }),
	veo3('veo3', {
		id: 'veo3-fast',
		displayName: 'Veo 3 Fast',
		description: 'Veo 3 fast generation',
	}),
	veo3('veo3', {
		id: 'veo3-pro',
		displayName: 'Veo 3 Pro',
		description: 'Veo 3 professional quality',
	}),
	veo3('veo3', {
		id: 'veo3-pro-frames',
		displayName: 'Veo 3 Pro Frames',
		description: 'Veo 3 with a first frame reference',
		images: { min: 0, max: 1, role: 'first frame' },
	}),
	veo3('veo3.1', { id: 'veo3.1', displayName: 'Veo 3.1', description: 'Veo 3.1 latest model' }),
	veo3('veo3.1', {
		id: 'veo3.1-fast',
		displayName: 'Veo 3.1 Fast',
		description: 'Veo 3.1 fast generation',
	}),
	sora2({ id: 'sora-2', displayName: 'Sora 2', description: 'Sora 2 base model', durations: [10] }),
	sora2({
		id: 'sora-2-pro',
		displayName: 'Sora 2 Pro',
		description: 'Sora 2 professional quality',
		durations: [10, 15, 25],
	}),
	veo31FromImage({
		id: 'veo_3_1',
		displayName: 'Veo 3.1 (Image to Video)',
		description: 'Veo 3.1 from a reference image',
	}),
	veo31FromImage({
		id: 'veo_3_1-fast',
		displayName: 'Veo 3.1 Fast (Image to Video)',
		description: 'Veo 3.1 fast from a reference image',
	}),
];

/** The three ways to generate, each offered by one node. */
export type ModelUse = 'videoCreate' | 'videos' | 'chatStream';

const USES: Record<ModelUse, { node: string; takes(model: ModelSpec): boolean }> = {
	videoCreate: { node: 'Video Create', takes: (model) => model.endpoint === 'videoCreate' },
	videos: { node: 'Video From Image', takes: (model) => model.endpoint === 'videos' },
	chatStream: { node: 'Sora Chat Stream', takes: (model) => model.streams },
};

export function findModel(id: string): ModelSpec | undefined {
	return MODELS.find((model) => model.id === id);
}

export function modelsFor(use: ModelUse): ModelSpec[] {
	return MODELS.filter((model) => USES[use].takes(model));
}

/** The model ids a node takes, e.g. "veo2, veo2-fast, …", for its errors and its tool description. */
export function modelIds(use: ModelUse): string {
	return modelsFor(use)
		.map((model) => model.id)
		.join(', ');
}

/** The durations each model of a node accepts, e.g. "sora-2: 10 s; sora-2-pro: 10, 15, 25 s". */
export function durationHints(use: ModelUse): string {
	const withDurations = modelsFor(use).filter((model) => model.durations);
	return withDurations
		.map(({ id, durations = [] }) => `${id}: ${durations.join(', ')} s`)
		.join('; ');
}

/** The nodes that offer a model, e.g. "Video Create, Sora Chat Stream". */
export function nodesOf(model: ModelSpec): string {
	const uses = Object.values(USES).filter((use) => use.takes(model));
	return uses.map((use) => use.node).join(', ');
}

export const MODEL_FIELD: FieldRef = { name: 'model', label: 'Model' };

/** Resolves an item's model id (it may come from an expression) for one use, or says which node takes it. */
export function resolveModel(use: ModelUse, value: unknown): ModelSpec {
	const id = requireNonEmptyText(MODEL_FIELD, value);
	const model = findModel(id);
	if (model && USES[use].takes(model)) return model;
	const hint = model
		? `${id} is a model of the Apertis ${nodesOf(model)} node: use that node.`
		: `Use one of: ${modelIds(use)}.`;
	throw new InvalidParameter(MODEL_FIELD, `Model "${id}" is not a ${USES[use].node} model`, hint);
}
