import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { onAbort } from '../shared/abort';
import { withVideo } from '../shared/binary/videoDownload';
import { resolveModel } from '../shared/catalogue/models';
import {
	batchOptionsField,
	checkPrompt,
	timeoutField,
	downloadFields,
	modelField,
	promptField,
	readDownloadSettings,
} from '../shared/descriptions';
import { executionStopped, withTaskId } from '../shared/errors';
import { cancellableSleep } from '../shared/sleep';
import type { SoraStreamResult } from '../shared/sse/soraStream';
import { readSoraStream, SoraStreamAborted } from '../shared/sse/soraStream';
import { continuesOnFail } from '../shared/items';
import { parseTaskId } from '../shared/taskIds';
import { apertisStreamRequest } from '../shared/transport/apertisRequest';

export const properties: INodeProperties[] = [
	modelField('chatStream', 'sora-2'),
	promptField(
		'Generate a video of a serene lake with mountains',
		'What the video should show, sent as the user message',
	),
	...downloadFields('binaryPropertyName'),
	batchOptionsField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			timeoutField(
				'How long to follow the stream. After that the item fails with the task ID, so a Query or Wait Until Done node can pick the task up.',
			),
		],
	},
];

/**
 * Checks one item and returns its stream, ready to start: the batch starts it once every item has passed its checks.
 */
export async function prepare(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<() => Promise<INodeExecutionData>> {
	const model = resolveModel('chatStream', ctx.getNodeParameter('model', itemIndex)).id;
	const prompt = checkPrompt(ctx.getNodeParameter('prompt', itemIndex, ''));
	const timeoutMinutes = ctx.getNodeParameter('options.timeout', itemIndex, 30) as number;
	return async () => await generate(ctx, itemIndex, { model, prompt, timeoutMinutes });
}

/**
 * Generates one video through POST /v1/chat/completions with `stream: true`, reading the Server-Sent Events as they
 * arrive. Progress lines are forwarded when the workflow streams its response (Chat Trigger, Webhook). Once a task
 * id has been seen, every failure carries it, so Query or Wait Until Done can pick the task up.
 */
async function generate(
	ctx: IExecuteFunctions,
	itemIndex: number,
	{ model, prompt, timeoutMinutes }: { model: string; prompt: string; timeoutMinutes: number },
): Promise<INodeExecutionData> {
	const response = await apertisStreamRequest(ctx, {
		method: 'POST',
		path: '/v1/chat/completions',
		headers: { Accept: 'text/event-stream' },
		body: { model, stream: true, messages: [{ role: 'user', content: prompt }] },
		kind: 'create',
		itemIndex,
		timeoutMs: timeoutMinutes * 60_000,
	});

	const result = await readWithTimeout(ctx, response.body, itemIndex, timeoutMinutes);
	const json: IDataObject = {
		task_id: result.taskId ?? null,
		video_url: result.videoUrl ?? null,
		progress: result.progress ?? null,
		status: result.status,
	};
	if (result.status === 'failed') {
		if (!continuesOnFail(ctx)) throw failure(ctx, result, itemIndex);
		return { json: { ...json, error: result.error ?? 'Video generation failed' } };
	}
	const download = readDownloadSettings(ctx, 'binaryPropertyName');
	if (!download.downloadVideo(itemIndex) || !result.taskId) return { json };
	return await withVideo(ctx, json, {
		task: parseTaskId(result.taskId),
		videoUrl: result.videoUrl,
		itemIndex,
		binaryPropertyName: download.outputField(itemIndex),
	});
}

/** Reads the stream until it ends, the execution is stopped, or the time-out passes (then it fails, id kept). */
async function readWithTimeout(
	ctx: IExecuteFunctions,
	body: Parameters<typeof readSoraStream>[0] & { destroy(error?: Error): void },
	itemIndex: number,
	timeoutMinutes: number,
): Promise<SoraStreamResult> {
	const stop = new AbortController();
	const unlink = onAbort(ctx.getExecutionCancelSignal(), () => stop.abort());
	let timedOut = false;
	const timer = cancellableSleep(timeoutMinutes * 60_000, stop.signal).then((elapsed) => {
		if (elapsed) {
			timedOut = true;
			stop.abort();
		}
	});
	const streaming = ctx.isStreaming?.() === true;
	if (streaming) ctx.sendChunk('begin', itemIndex);
	try {
		return await readSoraStream(body, {
			signal: stop.signal,
			onProgress: streaming ? (line) => ctx.sendChunk('item', itemIndex, `${line}\n`) : undefined,
		});
	} catch (error) {
		if (!(error instanceof SoraStreamAborted))
			throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
		if (!timedOut)
			throw executionStopped(ctx.getNode(), error.taskId ? [error.taskId] : [], itemIndex);
		return {
			taskId: error.taskId,
			status: 'failed',
			error: `No video within the time-out of ${timeoutMinutes} minutes`,
			sawDone: false,
		};
	} finally {
		// Whatever ended the reading, the connection goes: an error event or an abort may leave it open.
		body.destroy();
		if (streaming) ctx.sendChunk('end', itemIndex);
		unlink();
		if (!stop.signal.aborted) stop.abort();
		await timer;
	}
}

function failure(
	ctx: IExecuteFunctions,
	result: SoraStreamResult,
	itemIndex: number,
): NodeApiError {
	const message = result.error ?? 'Video generation failed';
	const error = new NodeApiError(
		ctx.getNode(),
		{ message },
		{
			message: `Sora video generation failed: ${message}`,
			description: result.taskId
				? `The task was created; use an Apertis Video Query or Wait Until Done node with its id to check on it.`
				: 'The stream ended before a task id was received; no task is known to exist.',
			itemIndex,
		},
	);
	return withTaskId(error, result.taskId);
}
