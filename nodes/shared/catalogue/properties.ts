import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { CreateParameter, ModelSpec } from './models';
import { MODELS, modelIdsTaking, modelsForEndpoint, SORA_ORIENTATIONS, SORA_SIZES } from './models';

/**
 * n8n properties derived from the model catalogue. A model-dependent field is shown for the models that take it,
 * and also whenever `model` is an expression (its value starts with "="), because the editor cannot know the model
 * then; the run-time validation checks the resolved model and never sends what it does not take.
 */

const MODEL_IS_EXPRESSION = { _cnd: { startsWith: '=' } } as const;

export function showForModels(modelIds: string[]): INodeProperties['displayOptions'] {
	return { show: { model: [...modelIds, MODEL_IS_EXPRESSION] } };
}

export function modelOptions(models: ModelSpec[]): INodePropertyOptions[] {
	return models.map((model) => ({ name: model.displayName, value: model.id, description: model.description }));
}

function showFor(parameter: CreateParameter): INodeProperties['displayOptions'] {
	return showForModels(modelIdsTaking(parameter));
}

/** `imageUrls`: one field per distinct image limit, so each model's hint names its own limit. */
function imageUrlProperties(): INodeProperties[] {
	const groups = new Map<string, string[]>();
	for (const model of modelsForEndpoint('videoCreate')) {
		if (!model.images) continue;
		const hint =
			model.images.max !== undefined
				? `At most ${model.images.max} public http(s) image URL${model.images.max > 1 ? 's' : ''}: ${model.images.role}`
				: `At least ${model.images.min} public http(s) image URL: ${model.images.role}`;
		groups.set(hint, [...(groups.get(hint) ?? []), model.id]);
	}
	return [...groups.entries()].map(([hint, modelIds], index) => ({
		displayName: 'Reference Image URLs',
		name: 'imageUrls',
		type: 'string',
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Image URL' },
		default: [],
		placeholder: 'https://example.com/frame.jpg',
		description: hint,
		// Only the first group also shows for an expression model, so the field appears once.
		displayOptions: index === 0 ? showForModels(modelIds) : { show: { model: modelIds } },
	}));
}

/** `duration`: one field per distinct set of Sora durations; the widest set also serves expression models. */
function durationProperties(): INodeProperties[] {
	const soraModels = MODELS.filter((model) => model.durations);
	const widest = soraModels.reduce((a, b) => ((a.durations?.length ?? 0) >= (b.durations?.length ?? 0) ? a : b));
	return soraModels.map((model) => ({
		displayName: 'Duration (Seconds)',
		name: 'duration',
		type: 'options',
		options: (model.durations ?? []).map((seconds) => ({ name: `${seconds} Seconds`, value: seconds })),
		default: 10,
		description: `Video length. ${model.displayName} takes ${(model.durations ?? []).join(', ')} seconds.`,
		displayOptions: model === widest ? showForModels([model.id]) : { show: { model: [model.id] } },
	}));
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
		{
			displayName: 'Prompt',
			name: 'prompt',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			required: true,
			placeholder: 'A serene lake with mountains in the background at sunset',
			description: 'A text description of the desired video',
		},
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
		...imageUrlProperties(),
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
		...durationProperties(),
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
