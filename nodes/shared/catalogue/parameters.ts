import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { requireHttpUrl, requireOneOf } from '../checks';
import { checkPrompt } from '../descriptions';
import type { FieldRef } from '../errors';
import { InvalidParameter } from '../errors';
import type { ModelEndpoint, ModelSpec } from './models';
import { durationHints, MODELS } from './models';

/**
 * One row per parameter of the two create endpoints (the model and the prompt are every model's and live in
 * descriptions.ts). A row holds the n8n field, the API field it is sent as, which models take it, and `toApi`:
 * the check of an item's value and what is sent for it. The editor fields, the run-time checks and both request
 * bodies are derived from these rows. To add an API parameter, add one row here (and its test).
 */
export interface ApiParameter {
	/** The n8n field. Its display rule comes from `takenBy`: a model that does not take it never shows it. */
	field: INodeProperties;
	/** The field's name in error messages. */
	label: string;
	endpoint: ModelEndpoint;
	/** The API's name for it. */
	apiName: string;
	takenBy(model: ModelSpec): boolean;
	/** Checks an item's value; returns what the API is sent, or undefined to send nothing. */
	toApi(value: unknown, model: ModelSpec, read: (name: string) => unknown): unknown;
}

// How values are sent. JSON bodies take booleans, strings and lists; multipart bodies take strings only.
const flag = (value: unknown) => value === true;
const flagDefaultOn = (value: unknown) => value !== false;
const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
const by = (model: ModelSpec) => `by model ${model.id}`;
const veo = (model: ModelSpec) => model.endpoint === 'videoCreate' && model.family !== 'sora2';
const sora = (model: ModelSpec) => model.family === 'sora2';
const fromImage = (model: ModelSpec) => model.endpoint === 'videos';

/** Image URLs from a multi-value field or an expression that returned an array or a newline-separated list. */
export function normalizeImageUrls(value: unknown): string[] {
	const flat: unknown[] = Array.isArray(value) ? value.flat(2) : [value];
	return flat
		.flatMap((entry) => {
			if (entry === undefined || entry === null) return [];
			return typeof entry === 'string' ? entry.split(/\r?\n/) : [String(entry)];
		})
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
}

function imageUrls(this: ApiParameter, value: unknown, model: ModelSpec): string[] | undefined {
	const urls = normalizeImageUrls(value);
	const { min, max } = model.images ?? { min: 0 };
	if (max !== undefined && urls.length > max) {
		const message = `Model ${model.id} takes at most ${max} reference image${max > 1 ? 's' : ''}, got ${urls.length}`;
		throw new InvalidParameter(
			ref(this),
			message,
			`Remove ${urls.length - max} of the image URLs.`,
		);
	}
	if (urls.length < min) {
		const message = `Model ${model.id} needs at least ${min} reference image URL`;
		throw new InvalidParameter(
			ref(this),
			message,
			'Add a public http(s) URL of a reference image.',
		);
	}
	urls.forEach((url) => requireHttpUrl(ref(this), url));
	return urls.length > 0 ? urls : undefined;
}

const CHARACTER_TIMESTAMPS = /^\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*$/;

function characterTimestamps(
	this: ApiParameter,
	value: unknown,
	_model: ModelSpec,
	read: (name: string) => unknown,
): string | undefined {
	const timestamps = text(value);
	if (!timestamps) return undefined;
	const url = PARAMETERS.find((row) => row.apiName === 'character_url');
	if (url && !text(read(url.field.name))) {
		const message = `${this.label} are set but ${url.label} is empty`;
		const hint = `Set ${url.label} to the 1–3 second video the timestamps refer to, or clear the timestamps.`;
		throw new InvalidParameter(ref(this), message, hint);
	}
	const match = CHARACTER_TIMESTAMPS.exec(timestamps);
	if (!match || Number(match[1]) >= Number(match[2])) {
		const message = `${this.label} "${timestamps}" are not "{start},{end}" with start before end`;
		throw new InvalidParameter(
			ref(this),
			message,
			'Write them as two numbers of seconds, e.g. 0,3.',
		);
	}
	return `${match[1]},${match[2]}`;
}

function wholeNumber(value: unknown): number {
	const number = typeof value === 'number' ? value : Number(String(value ?? '').trim());
	return Number.isInteger(number) ? number : NaN;
}

function imageHints(): string {
	const withImages = MODELS.filter((model) => model.endpoint === 'videoCreate' && model.images);
	return withImages
		.map(({ id, images }) => {
			const count = images?.max !== undefined ? `at most ${images.max}` : `at least ${images?.min}`;
			return `${id}: ${count} (${images?.role})`;
		})
		.join('; ');
}

/**
 * A parameter whose default the document does not state starts at its first option, API Default (value ''): it
 * sends nothing, so the API's own default applies (the node does not guess one). The option is written out in each
 * list, where n8n's lint rules can see that the default is one of the options.
 */
const isApiDefault = (value: unknown) => value === undefined || value === null || value === '';

/** Every Sora duration, each option shown only for the models that accept it. */
function durationOptions(): INodeProperties['options'] {
	const all = [...new Set(MODELS.flatMap((model) => model.durations ?? []))].sort((a, b) => a - b);
	return all.map((seconds) => ({
		name: `${seconds} Seconds`,
		value: seconds,
		displayOptions: {
			show: { model: MODELS.filter((m) => m.durations?.includes(seconds)).map((m) => m.id) },
		},
	}));
}

export const PARAMETERS: readonly ApiParameter[] = [
	{
		field: {
			displayName: 'Enhance Prompt',
			name: 'enhancePrompt',
			type: 'boolean',
			default: false,
			description:
				'Whether to let the API enhance the prompt and translate it (Chinese to English)',
		},
		label: 'Enhance prompt',
		endpoint: 'videoCreate',
		apiName: 'enhance_prompt',
		takenBy: veo,
		toApi: flag,
	},
	{
		field: {
			displayName: 'Enable Upsample',
			name: 'enableUpsample',
			type: 'boolean',
			default: false,
			description: 'Whether to upscale the video quality',
		},
		label: 'Enable upsample',
		endpoint: 'videoCreate',
		apiName: 'enable_upsample',
		takenBy: veo,
		toApi: flag,
	},
	{
		field: {
			displayName: 'Aspect Ratio',
			name: 'aspectRatio',
			type: 'options',
			options: [
				{ name: 'API Default', value: '', description: 'Send nothing: the API decides' },
				{ name: '16:9 (Landscape)', value: '16:9' },
				{ name: '9:16 (Portrait)', value: '9:16' },
			],
			default: '',
		},
		label: 'Aspect ratio',
		endpoint: 'videoCreate',
		apiName: 'aspect_ratio',
		takenBy: (model) => model.aspectRatios !== undefined,
		toApi(value, model) {
			if (isApiDefault(value)) return undefined;
			return requireOneOf(ref(this), String(value), model.aspectRatios ?? [], by(model));
		},
	},
	{
		field: {
			displayName: 'Reference Image URLs',
			name: 'imageUrls',
			type: 'string',
			typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Image URL' },
			default: [],
			placeholder: 'https://example.com/frame.jpg',
			description: `Public http(s) URLs of reference images. ${imageHints()}.`,
		},
		label: 'Reference image URL',
		endpoint: 'videoCreate',
		apiName: 'images',
		takenBy: (model) => model.endpoint === 'videoCreate' && model.images !== undefined,
		toApi: imageUrls,
	},
	{
		field: {
			displayName: 'Orientation',
			name: 'orientation',
			type: 'options',
			options: [
				{ name: 'API Default', value: '', description: 'Send nothing: the API decides' },
				{ name: 'Portrait', value: 'portrait' },
				{ name: 'Landscape', value: 'landscape' },
			],
			default: '',
		},
		label: 'Orientation',
		endpoint: 'videoCreate',
		apiName: 'orientation',
		takenBy: sora,
		toApi(value, model) {
			if (isApiDefault(value)) return undefined;
			return requireOneOf(ref(this), String(value), optionValues(this).filter(Boolean), by(model));
		},
	},
	{
		field: {
			displayName: 'Size',
			name: 'size',
			type: 'options',
			options: [
				{ name: 'API Default', value: '', description: 'Send nothing: the API decides' },
				{ name: 'Small (~720p)', value: 'small' },
				{ name: 'Large (1080p HD)', value: 'large' },
			],
			default: '',
			description: 'Quality level of the video',
		},
		label: 'Size',
		endpoint: 'videoCreate',
		apiName: 'size',
		takenBy: sora,
		toApi(value, model) {
			if (isApiDefault(value)) return undefined;
			return requireOneOf(ref(this), String(value), optionValues(this).filter(Boolean), by(model));
		},
	},
	{
		field: {
			displayName: 'Duration (Seconds)',
			name: 'duration',
			type: 'options',
			options: [
				{ name: 'API Default', value: '', description: 'Send nothing: the API decides' },
				...(durationOptions() ?? []),
			],
			default: '',
			description: `Video length. ${durationHints('videoCreate')}.`,
		},
		label: 'Duration',
		endpoint: 'videoCreate',
		apiName: 'duration',
		takenBy: (model) => model.durations !== undefined,
		toApi(value, model) {
			if (isApiDefault(value)) return undefined;
			return requireOneOf(ref(this), wholeNumber(value), model.durations ?? [], by(model));
		},
	},
	{
		field: {
			displayName: 'Watermark',
			name: 'watermark',
			type: 'boolean',
			default: true,
			description: 'Whether the video carries a watermark',
		},
		label: 'Watermark',
		endpoint: 'videoCreate',
		apiName: 'watermark',
		takenBy: sora,
		toApi: flagDefaultOn,
	},
	{
		field: {
			displayName: 'Private',
			name: 'private',
			type: 'boolean',
			default: false,
			description: 'Whether to keep the video private (unpublished)',
		},
		label: 'Private',
		endpoint: 'videoCreate',
		apiName: 'private',
		takenBy: sora,
		toApi: flag,
	},
	{
		field: {
			displayName: 'Character URL',
			name: 'characterUrl',
			type: 'string',
			default: '',
			placeholder: 'https://example.com/character.mp4',
			description: 'A 1–3 second video (http(s) URL) from which Sora creates a character',
		},
		label: 'Character URL',
		endpoint: 'videoCreate',
		apiName: 'character_url',
		takenBy: sora,
		toApi(value) {
			const url = text(value);
			return url ? requireHttpUrl(ref(this), url) : undefined;
		},
	},
	{
		field: {
			displayName: 'Character Timestamps',
			name: 'characterTimestamps',
			type: 'string',
			default: '',
			placeholder: '0,3',
			description: 'Which part of the character video to use, as "{start},{end}" in seconds',
		},
		label: 'Character timestamps',
		endpoint: 'videoCreate',
		apiName: 'character_timestamps',
		takenBy: sora,
		toApi: characterTimestamps,
	},
	{
		field: {
			displayName: 'Seconds',
			name: 'seconds',
			type: 'number',
			typeOptions: { minValue: 1, numberPrecision: 0 },
			default: 5,
			description: 'Video duration in whole seconds',
		},
		label: 'Seconds',
		endpoint: 'videos',
		apiName: 'seconds',
		takenBy: fromImage,
		toApi(value) {
			// The document names no upper limit, so none is enforced; the form field is a string.
			const seconds = String(value ?? '').trim();
			if (/^[1-9]\d*$/.test(seconds)) return seconds;
			const message = `${this.label} "${seconds}" is not a positive whole number`;
			throw new InvalidParameter(
				ref(this),
				message,
				'Enter the video length in whole seconds, e.g. 5.',
			);
		},
	},
	{
		field: {
			displayName: 'Size',
			name: 'size',
			type: 'options',
			options: [
				{ name: 'Landscape (16x9)', value: '16x9' },
				{ name: 'Portrait (720x1280)', value: '720x1280' },
			],
			default: '16x9',
		},
		label: 'Size',
		endpoint: 'videos',
		apiName: 'size',
		takenBy: fromImage,
		toApi(value, model) {
			return requireOneOf(ref(this), String(value ?? ''), model.sizes ?? [], by(model));
		},
	},
	{
		field: {
			displayName: 'Watermark',
			name: 'watermark',
			type: 'options',
			options: [
				{ name: 'API Default', value: '', description: 'Send nothing: the API decides' },
				{ name: 'On', value: 'true' },
				{ name: 'Off', value: 'false' },
			],
			default: '',
			description:
				'Whether the video carries a watermark. The document gives no default for this API.',
		},
		label: 'Watermark',
		endpoint: 'videos',
		apiName: 'watermark',
		takenBy: fromImage,
		// A boolean too: what an expression may return.
		toApi: (value) =>
			isApiDefault(value) ? undefined : String(value === true || value === 'true'),
	},
];

function ref(row: ApiParameter): FieldRef {
	return { name: row.field.name, label: row.label };
}

function optionValues(row: ApiParameter): string[] {
	return (row.field.options ?? []).map((option) => String((option as { value: unknown }).value));
}

function rowsOf(endpoint: ModelEndpoint): ApiParameter[] {
	return PARAMETERS.filter((row) => row.endpoint === endpoint);
}

/** The editor fields of one endpoint's parameters, each shown for the models that take it. */
export function parameterFields(endpoint: ModelEndpoint): INodeProperties[] {
	const models = MODELS.filter((model) => model.endpoint === endpoint);
	return rowsOf(endpoint).map((row) => {
		const takers = models.filter((model) => row.takenBy(model)).map((model) => model.id);
		if (takers.length === models.length) return row.field;
		return updateDisplayOptions({ show: { model: takers } }, [row.field])[0];
	});
}

/** The names of the parameters a model takes, e.g. for the README's model table. */
export function parameterNamesOf(model: ModelSpec): string[] {
	return rowsOf(model.endpoint)
		.filter((row) => row.takenBy(model))
		.map((row) => row.field.name);
}

/**
 * The request body of one item for its model: the model, the prompt, and each parameter the model takes, checked
 * and converted. Parameters the model does not take are never read and never sent. Throws InvalidParameter
 * before anything is sent.
 */
export function requestBody(model: ModelSpec, read: (name: string) => unknown): IDataObject {
	const body: IDataObject = { model: model.id, prompt: checkPrompt(read('prompt')) };
	for (const row of rowsOf(model.endpoint).filter((r) => r.takenBy(model))) {
		const value = row.toApi(read(row.field.name), model, read);
		if (value !== undefined) body[row.apiName] = value as IDataObject[string];
	}
	return body;
}
