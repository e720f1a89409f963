import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { CreateParameter, ModelSpec } from './models';
import { MODELS, modelIdsTaking, modelsForEndpoint, SORA_ORIENTATIONS, SORA_SIZES, VIDEOS_SIZES } from './models';

/**
 * n8n properties derived from the model catalogue. A model-dependent field is shown for the models that take it.
 * When `model` is an expression, n8n's display logic shows every such field (the editor cannot know the model);
 * the run-time validation then checks the resolved model and never sends what it does not take. So each field
 * exists once, and per-model differences live in option-level display rules and in the hint.
 */

export function showForModels(modelIds: string[]): INodeProperties['displayOptions'] {
	return { show: { model: modelIds } };
}

export function modelOptions(models: ModelSpec[]): INodePropertyOptions[] {
	return models.map((model) => ({ name: model.displayName, value: model.id, description: model.description }));
}

const VIDEOS_SIZE_LABELS: Record<(typeof VIDEOS_SIZES)[number], string> = { '16x9': 'Landscape (16x9)', '720x1280': 'Portrait (720x1280)' };

/** The size options of Video From Image (POST /v1/videos). */
export function videosSizeOptions(): INodePropertyOptions[] {
	return VIDEOS_SIZES.map((value) => ({ name: VIDEOS_SIZE_LABELS[value], value }));
}

function showFor(parameter: CreateParameter): INodeProperties['displayOptions'] {
	return showForModels(modelIdsTaking(parameter));
}

function imageLimitHint(model: ModelSpec): string {
	const limits = model.images;
	if (!limits) return '';
	const count = limits.max !== undefined ? `at most ${limits.max}` : `at least ${limits.min}`;
	return `${model.id}: ${count} (${limits.role})`;
}

function imageUrlsProperty(): INodeProperties {
	const hints = modelsForEndpoint('videoCreate').filter((model) => model.images).map(imageLimitHint);
	return {
		displayName: 'Reference Image URLs',
		name: 'imageUrls',
		type: 'string',
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Image URL' },
		default: [],
		placeholder: 'https://example.com/frame.jpg',
		description: `Public http(s) URLs of reference images. ${hints.join('; ')}.`,
		displayOptions: showFor('imageUrls'),
	};
}

/** `duration`: every Sora duration, each option shown only for the models that accept it. */
function durationProperty(): INodeProperties {
	const soraModels = MODELS.filter((model) => model.durations);
	const allDurations = [...new Set(soraModels.flatMap((model) => model.durations ?? []))].sort((a, b) => a - b);
	return {
		displayName: 'Duration (Seconds)',
		name: 'duration',
		type: 'options',
		options: allDurations.map((seconds) => ({
			name: `${seconds} Seconds`,
			value: seconds,
			displayOptions: showForModels(soraModels.filter((m) => m.durations?.includes(seconds)).map((m) => m.id)),
		})),
		default: 10,
		description: `Video length. ${soraModels.map((m) => `${m.id}: ${(m.durations ?? []).join(', ')} s`).join('; ')}.`,
		displayOptions: showFor('duration'),
	};
}

/** The prompt field every generating node has. */
export function promptProperty(placeholder: string, description = 'A text description of the desired video'): INodeProperties {
	return { displayName: 'Prompt', name: 'prompt', type: 'string', typeOptions: { rows: 4 }, default: '', required: true, placeholder, description };
}

export function videoCreateProperties(): INodeProperties[] {
	return [
		{
			displayName: 'Model',
			name: 'model',
			type: 'options',
			options: modelOptions(modelsForEndpoint('videoCreate')),
			default: 'veo3',
			description:
				'The model that generates the video. Can be an expression (e.g. a spreadsheet column); it is checked when the workflow runs.',
		},
		promptProperty('A serene lake with mountains in the background at sunset'),
		{
			displayName: 'Enhance Prompt',
			name: 'enhancePrompt',
			type: 'boolean',
			default: false,
			description: 'Whether to let the API enhance the prompt and translate it (Chinese to English)',
			displayOptions: showFor('enhancePrompt'),
		},
		{
			displayName: 'Enable Upsample',
			name: 'enableUpsample',
			type: 'boolean',
			default: false,
			description: 'Whether to upscale the video quality',
			displayOptions: showFor('enableUpsample'),
		},
		{
			displayName: 'Aspect Ratio',
			name: 'aspectRatio',
			type: 'options',
			options: [
				{ name: '16:9 (Landscape)', value: '16:9' },
				{ name: '9:16 (Portrait)', value: '9:16' },
			],
			default: '16:9',
			displayOptions: showFor('aspectRatio'),
		},
		imageUrlsProperty(),
		{
			displayName: 'Orientation',
			name: 'orientation',
			type: 'options',
			options: SORA_ORIENTATIONS.map((value) => ({ name: capitalize(value), value })),
			default: 'landscape',
			displayOptions: showFor('orientation'),
		},
		{
			displayName: 'Size',
			name: 'size',
			type: 'options',
			options: [
				{ name: 'Small (~720p)', value: SORA_SIZES[0] },
				{ name: 'Large (1080p HD)', value: SORA_SIZES[1] },
			],
			default: 'small',
			description: 'Quality level of the video',
			displayOptions: showFor('size'),
		},
		durationProperty(),
		{
			displayName: 'Watermark',
			name: 'watermark',
			type: 'boolean',
			default: true,
			description: 'Whether the video carries a watermark',
			displayOptions: showFor('watermark'),
		},
		{
			displayName: 'Private',
			name: 'private',
			type: 'boolean',
			default: false,
			description: 'Whether to keep the video private (unpublished)',
			displayOptions: showFor('private'),
		},
		{
			displayName: 'Character URL',
			name: 'characterUrl',
			type: 'string',
			default: '',
			placeholder: 'https://example.com/character.mp4',
			description: 'A 1–3 second video (http(s) URL) from which Sora creates a character',
			displayOptions: showFor('characterUrl'),
		},
		{
			displayName: 'Character Timestamps',
			name: 'characterTimestamps',
			type: 'string',
			default: '',
			placeholder: '0,3',
			description: 'Which part of the character video to use, as "{start},{end}" in seconds',
			displayOptions: showFor('characterTimestamps'),
		},
	];
}

function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
