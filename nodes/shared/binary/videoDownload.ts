import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { withTaskId } from '../errors';
import type { TaskRef } from '../taskIds';
import type { StreamResponse } from '../transport/apertisRequest';
import { apertisStreamRequest } from '../transport/apertisRequest';

export interface DownloadRequest {
	task: TaskRef;
	/** The finished task's `video_url`, when the API gave one. */
	videoUrl?: unknown;
	itemIndex: number;
}

/** A download may take long: a 1 GB video over a slow link. */
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

/**
 * n8n's `database` binary mode (queue mode's default) reads a whole file into memory before storing it, and refuses
 * files over N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE (default 512 MiB). A larger video is refused before its bytes
 * are read, instead of filling the worker's memory first.
 */
const DATABASE_MODE_MAX_BYTES = 512 * 1024 * 1024;

/** A file name n8n users can save as is: the task id made safe for file systems, ending in .mp4. */
export function videoFileName(taskId: string): string {
	return `${taskId.replace(/[^A-Za-z0-9._-]+/g, '_')}.mp4`;
}

/**
 * Streams a finished video into n8n's binary data store: from its URL (taskStatus.ts videoUrlOf), or from
 * GET /v1/videos/{id}/content for /v1/videos tasks without one. The response is handed to n8n as a stream, so in n8n's filesystem binary mode
 * the video goes to disk without being held whole in memory.
 */
export async function downloadVideo(
	ctx: IExecuteFunctions,
	request: DownloadRequest,
): Promise<IBinaryData> {
	const { task, itemIndex } = request;
	const videoUrl =
		typeof request.videoUrl === 'string' && request.videoUrl ? request.videoUrl : undefined;
	if (!videoUrl && task.api !== 'videos') throw noVideoUrl(ctx, request);
	const common = { method: 'GET' as const, kind: 'read' as const, itemIndex, taskId: task.id };
	const response = await apertisStreamRequest(ctx, {
		...common,
		...(videoUrl
			? { path: 'video_url', absoluteUrl: videoUrl }
			: { path: `/v1/videos/${encodeURIComponent(task.id)}/content` }),
		timeoutMs: DOWNLOAD_TIMEOUT_MS,
	});
	await refuseWhatTheStoreCannotHold(ctx, response, request);
	// The response body is the Node.js stream axios returned; n8n stores it without buffering in filesystem mode.
	const stream = response.body as unknown as Parameters<
		IExecuteFunctions['helpers']['prepareBinaryData']
	>[0];
	const binary = await ctx.helpers.prepareBinaryData(stream, videoFileName(task.id), 'video/mp4');
	binary.mimeType = 'video/mp4';
	return binary;
}

/** Only /v1/videos has a content endpoint: a finished task of the other APIs without a video URL has no video. */
function noVideoUrl(ctx: IExecuteFunctions, request: DownloadRequest): NodeOperationError {
	const error = new NodeOperationError(
		ctx.getNode(),
		`Task ${request.task.id} is completed but the API gave no video URL`,
		{
			itemIndex: request.itemIndex,
			description:
				'Nothing was downloaded. Query the task again later with Video Query; its video_url may appear.',
		},
	);
	return withTaskId(error, request.task.id);
}

/** The binary mode n8n stores files in: the prefix of a stored file's id (none: held in memory). */
async function binaryMode(ctx: IExecuteFunctions): Promise<string> {
	const probe = await ctx.helpers.prepareBinaryData(Buffer.alloc(0), 'mode-probe', 'text/plain');
	return probe.id?.split(':')[0] ?? 'memory';
}

async function refuseWhatTheStoreCannotHold(
	ctx: IExecuteFunctions,
	response: StreamResponse,
	request: DownloadRequest,
): Promise<void> {
	const bytes = Number(response.headers['content-length']);
	// Only a video over the database limit costs the probe: most never do.
	if (!(bytes > DATABASE_MODE_MAX_BYTES) || (await binaryMode(ctx)) !== 'database') return;
	response.body.destroy();
	const mib = (n: number) => `${Math.round(n / (1024 * 1024))} MiB`;
	const url = typeof request.videoUrl === 'string' ? request.videoUrl : undefined;
	const error = new NodeOperationError(
		ctx.getNode(),
		`The video is ${mib(bytes)}, more than n8n's database binary mode can store (${mib(DATABASE_MODE_MAX_BYTES)})`,
		{
			itemIndex: request.itemIndex,
			description: `Nothing was downloaded. ${url ? `The video stays at ${url}. ` : ''}Turn off Download Video and use video_url, or run n8n with N8N_DEFAULT_BINARY_DATA_MODE=filesystem (in queue mode with an N8N_BINARY_DATA_STORAGE_PATH shared by main and workers) or s3.`,
		},
	);
	throw withTaskId(error, request.task.id);
}

/** An output item with the task's JSON and its downloaded video under `binaryPropertyName`. */
export async function withVideo(
	ctx: IExecuteFunctions,
	json: IDataObject,
	request: DownloadRequest & { binaryPropertyName: string },
): Promise<INodeExecutionData> {
	const video = await downloadVideo(ctx, request);
	return { json, binary: { [request.binaryPropertyName]: video } };
}
