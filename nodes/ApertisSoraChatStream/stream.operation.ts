import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { withVideo } from '../shared/binary/videoDownload';
import { CHAT_STREAM_MODEL_IDS } from '../shared/catalogue/models';
import { withTaskId } from '../shared/items';
import { cancellableSleep } from '../shared/sleep';
import type { SoraStreamResult } from '../shared/sse/soraStream';
import { readSoraStream, SoraStreamAborted } from '../shared/sse/soraStream';
import { parseTaskId } from '../shared/taskIds';
import { apertisStreamRequest } from '../shared/transport/apertisRequest';
import { requireNonEmptyText, requireOneOf } from '../shared/validation/invalidParameter';

/**
 * Generates one video through POST /v1/chat/completions with `stream: true`, reading the Server-Sent Events as they
 * arrive. Progress lines are forwarded when the workflow streams its response (Chat Trigger, Webhook). Once a task
 * id has been seen, every failure carries it, so Query or Wait Until Done can pick the task up.
 */
export async function streamVideo(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData> {
	const model = requireOneOf('model', String(ctx.getNodeParameter('model', itemIndex)), CHAT_STREAM_MODEL_IDS, 'by Sora Chat Stream');
	const prompt = requireNonEmptyText('prompt', ctx.getNodeParameter('prompt', itemIndex, ''));
	const timeoutMinutes = ctx.getNodeParameter('options.timeout', itemIndex, 30) as number;

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
		if (!ctx.continueOnFail()) throw failure(ctx, result, itemIndex);
		return { json: { ...json, error: result.error ?? 'Video generation failed' } };
	}
	if (!(ctx.getNodeParameter('downloadVideo', itemIndex, false) as boolean) || !result.taskId) return { json };
	return await withVideo(ctx, json, {
		task: parseTaskId(result.taskId),
		videoUrl: result.videoUrl,
		itemIndex,
		binaryPropertyName: ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string,
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
	const cancel = ctx.getExecutionCancelSignal();
	const onCancel = () => stop.abort();
	cancel?.addEventListener('abort', onCancel, { once: true });
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
		if (!(error instanceof SoraStreamAborted)) throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
		if (!timedOut) {
			throw withTaskId(new NodeOperationError(ctx.getNode(), 'The execution was stopped', { itemIndex }), error.taskId);
		}
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
		cancel?.removeEventListener('abort', onCancel);
		if (!stop.signal.aborted) stop.abort();
		await timer;
	}
}

function failure(ctx: IExecuteFunctions, result: SoraStreamResult, itemIndex: number): NodeApiError {
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
