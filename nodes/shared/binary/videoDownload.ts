import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { TaskRef } from '../taskIds';
import { apertisStreamRequest } from '../transport/apertisRequest';

export interface DownloadRequest {
	task: TaskRef;
	/** The finished task's `video_url`, when the API gave one. */
	videoUrl?: unknown;
	itemIndex: number;
}

/** A file name n8n users can save as is: the task id made safe for file systems, ending in .mp4. */
export function videoFileName(taskId: string): string {
	return `${taskId.replace(/[^A-Za-z0-9._-]+/g, '_')}.mp4`;
}

/**
 * Streams a finished video into n8n's binary data store: from `video_url`, or from GET /v1/videos/{id}/content
 * for /v1/videos tasks without one. The response is handed to n8n as a stream, so in n8n's filesystem binary mode
 * the video goes to disk without being held whole in memory.
 */
export async function downloadVideo(
	ctx: IExecuteFunctions,
	request: DownloadRequest,
): Promise<IBinaryData> {
	const { task, itemIndex } = request;
	const videoUrl =
		typeof request.videoUrl === 'string' && request.videoUrl ? request.videoUrl : undefined;
	const response = videoUrl
		? await apertisStreamRequest(ctx, {
				method: 'GET',
				path: 'video_url',
				absoluteUrl: videoUrl,
				kind: 'read',
				itemIndex,
				taskId: task.id,
				timeoutMs: 10 * 60_000,
			})
		: await apertisStreamRequest(ctx, {
				method: 'GET',
				path: `/v1/videos/${encodeURIComponent(task.id)}/content`,
				kind: 'read',
				itemIndex,
				taskId: task.id,
				timeoutMs: 10 * 60_000,
			});
	// The response body is the Node.js stream axios returned; n8n stores it without buffering in filesystem mode.
	const stream = response.body as unknown as Parameters<
		IExecuteFunctions['helpers']['prepareBinaryData']
	>[0];
	const binary = await ctx.helpers.prepareBinaryData(stream, videoFileName(task.id), 'video/mp4');
	binary.mimeType = 'video/mp4';
	return binary;
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
