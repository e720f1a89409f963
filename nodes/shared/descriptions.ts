import type { IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ModelUse } from './catalogue/models';
import { modelsFor } from './catalogue/models';
import { requireNonEmptyText } from './checks';
import type { FieldRef } from './errors';

/**
 * The fields several nodes share, each defined once beside the code that reads it. Nodes place them with
 * n8n-workflow's `updateDisplayOptions`.
 */

// ── Model and prompt ────────────────────────────────────────────────────────────────────────────────────────────

export function modelField(
	use: ModelUse,
	defaultModel: string,
	description?: string,
): INodeProperties {
	const options: INodePropertyOptions[] = modelsFor(use).map((model) => ({
		name: model.displayName,
		value: model.id,
		description: model.description,
	}));
	return {
		displayName: 'Model',
		name: 'model',
		type: 'options',
		options,
		default: defaultModel,
		description,
	};
}

const PROMPT: FieldRef = { name: 'prompt', label: 'Prompt' };

export function promptField(
	placeholder: string,
	description = 'A text description of the desired video',
): INodeProperties {
	return {
		displayName: 'Prompt',
		name: PROMPT.name,
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder,
		description,
	};
}

/** The item's prompt, trimmed; an empty one fails before any request. */
export function checkPrompt(value: unknown): string {
	return requireNonEmptyText(PROMPT, value);
}

// ── Download of the finished video ──────────────────────────────────────────────────────────────────────────────

/**
 * The output field's name: `binaryPropertyName` on Video Query, Wait Until Done and Sora Chat Stream;
 * `binaryPropertyOutput` on the create nodes, where Video From Image's `binaryPropertyName` is its input image.
 */
export type OutputField = 'binaryPropertyName' | 'binaryPropertyOutput';

export function downloadFields(outputField: OutputField): INodeProperties[] {
	const download: INodeProperties = {
		displayName: 'Download Video',
		name: 'downloadVideo',
		type: 'boolean',
		default: false,
		description:
			'Whether to download the finished video as binary data (video/mp4). Items whose task is not finished yet get none.',
	};
	const field: INodeProperties = {
		displayName: 'Put Output File in Field',
		name: outputField,
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the video in',
	};
	return [download, ...updateDisplayOptions({ show: { downloadVideo: [true] } }, [field])];
}

export interface DownloadSettings {
	downloadVideo(itemIndex: number): boolean;
	outputField(itemIndex: number): string;
}

export function readDownloadSettings(
	ctx: IExecuteFunctions,
	outputField: OutputField,
): DownloadSettings {
	return {
		downloadVideo: (itemIndex) =>
			ctx.getNodeParameter('downloadVideo', itemIndex, false) as boolean,
		outputField: (itemIndex) => ctx.getNodeParameter(outputField, itemIndex, 'data') as string,
	};
}

// ── Waiting for tasks ───────────────────────────────────────────────────────────────────────────────────────────

/** The least Timeout, 3 s in minutes: time for the early check (1.5 s in) and its answer. */
const MIN_TIMEOUT_MINUTES = 0.05;

/** How long a node waits in all, in minutes; `description` says what happens then. */
export function timeoutField(description: string): INodeProperties {
	return {
		displayName: 'Timeout (Minutes)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: MIN_TIMEOUT_MINUTES },
		default: 30,
		description,
	};
}

/**
 * The longest gap between two checks of one task, by default. A minute: the schedule checks where a task can finish
 * and keeps its own gaps under 30 s while it knows little of a model (poller/schedule.ts), so this bound only decides
 * how long a task may sleep before a window learned from many durations (a 30-s bound cost a warm benchmark run
 * about 5 % more requests, each spent where the task could not have finished).
 */
const DEFAULT_POLL_INTERVAL_S = 60;

export const pollFields: INodeProperties[] = [
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_POLL_INTERVAL_S,
		description:
			'The longest gap between two status checks of one task. The poller checks sooner when a task is likely to finish: from its progress, or from how long tasks of its model took in this and earlier executions; a task that reports no progress is checked at least every 30 s while little is known of its model.',
	},
	timeoutField(
		'How long to wait for the tasks. A task still unfinished then is reported as failed, with its ID.',
	),
	{
		displayName: 'Polling Options',
		name: 'pollOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Max Requests per Second',
				name: 'requestsPerSecond',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					"A ceiling on this node's status checks per second. 0 (the default): none; requests with one API key share one pace, which adapts to the API's rate limit.",
			},
		],
	},
];

export interface WaitSettings {
	pollIntervalSeconds: number;
	timeoutMinutes: number;
	/** A ceiling on status checks per second; 0: none (the key's shared pace adapts on its own). */
	requestsPerSecond: number;
	/** Wait Until Done only: see waiting/handOff.ts. */
	handOffAfterMinutes?: number;
}

export function readWaitSettings(ctx: IExecuteFunctions): WaitSettings {
	return {
		pollIntervalSeconds: ctx.getNodeParameter('pollInterval', 0, DEFAULT_POLL_INTERVAL_S) as number,
		timeoutMinutes: ctx.getNodeParameter('timeout', 0, 30) as number,
		requestsPerSecond: ctx.getNodeParameter('pollOptions.requestsPerSecond', 0, 0) as number,
	};
}

/** "Wait for Completion" on the create nodes: off by default; when on, the polling and download fields. */
export const waitForCompletionFields: INodeProperties[] = [
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: false,
		description:
			'Whether to wait until the videos are done before going on. All items are waited for at once. To route failed tasks to their own branch, use the Apertis Wait Until Done node instead.',
	},
	...updateDisplayOptions({ show: { waitForCompletion: [true] } }, [
		...pollFields,
		...downloadFields('binaryPropertyOutput'),
	]),
];

export function readWaitForCompletion(ctx: IExecuteFunctions): boolean {
	return ctx.getNodeParameter('waitForCompletion', 0, false) as boolean;
}

// ── Batches of paid requests ────────────────────────────────────────────────────────────────────────────────────

/**
 * Paid requests in flight at once. A create is a round trip of about a second at a real API (an upload longer): eight
 * at a time make a 50-row sheet's creates take about 7 round trips instead of 50, and 8 is also the poller's cap on
 * status checks in flight, a number of parallel requests an API sees from one client without taking it for a burst.
 * When one answers 402 or fails, at most seven others are already on the wire. Every request still waits for its slot
 * in the API key's shared pace, so a 429 slows them all.
 */
export const DEFAULT_CONCURRENCY = 8;

/**
 * The spend guard's default. A day's batch of a schedule or a sheet is tens of videos; a run of more than 100 paid
 * tasks is more often a sheet or loop that grew by mistake (a whole 10,000-row sheet) than a plan. Raise it for
 * larger batches; 0 turns it off.
 */
const DEFAULT_MAX_TASKS = 100;

export const batchOptionsField: INodeProperties = {
	displayName: 'Batch Options',
	name: 'batchOptions',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_CONCURRENCY,
			description:
				"How many items' paid requests are in flight at once. All of them share the API key's request pace, so a rate limit slows them together.",
		},
		{
			displayName: 'Max Tasks per Execution',
			name: 'maxTasksPerExecution',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: DEFAULT_MAX_TASKS,
			description:
				'A spend guard: a batch that would start more paid tasks than this fails before sending any request. Items with an Existing Task ID do not count. 0 = no limit.',
		},
	],
};

export interface BatchOptions {
	concurrency: number;
	maxTasksPerExecution: number;
}

export function readBatchOptions(ctx: IExecuteFunctions): BatchOptions {
	const concurrency = Number(
		ctx.getNodeParameter('batchOptions.concurrency', 0, DEFAULT_CONCURRENCY),
	);
	const max = Number(
		ctx.getNodeParameter('batchOptions.maxTasksPerExecution', 0, DEFAULT_MAX_TASKS),
	);
	return {
		concurrency: Number.isFinite(concurrency) && concurrency >= 1 ? Math.floor(concurrency) : 1,
		maxTasksPerExecution: Number.isFinite(max) && max > 0 ? Math.floor(max) : 0,
	};
}

/** Video Create and Video From Image: an id from an earlier run, so a re-run sends no second create for the row. */
export const existingTaskIdField: INodeProperties = {
	displayName: 'Existing Task ID',
	name: 'existingTaskId',
	type: 'string',
	default: '',
	placeholder: '={{ $json.task_id }}',
	description:
		'A task already created for this item, e.g. an ID a previous run wrote back to the sheet. When it is set, no create is sent (nothing is paid) and the item goes on with that ID and reused: true, so Wait Until Done picks it up. Leave it empty to create a task.',
};

export function readExistingTaskId(ctx: IExecuteFunctions, itemIndex: number): string | undefined {
	const value = ctx.getNodeParameter('existingTaskId', itemIndex, '') as unknown;
	const id =
		typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	return id || undefined;
}

/** The fields of a create node after its API parameters: the id of an earlier run, waiting, and the batch. */
export const createNodeFields: INodeProperties[] = [
	existingTaskIdField,
	...waitForCompletionFields,
	batchOptionsField,
];
