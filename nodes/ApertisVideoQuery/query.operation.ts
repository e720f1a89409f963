import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { withVideo } from '../shared/binary/videoDownload';
import { downloadFields, readDownloadSettings } from '../shared/descriptions';
import { parseTaskId, statusRequestOf } from '../shared/taskIds';
import { finalStateOf, videoUrlOf } from '../shared/taskStatus';
import { apertisRequest } from '../shared/transport/apertisRequest';

export const properties: INodeProperties[] = [
	{
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		default: '={{ $json.id }}',
		required: true,
		description:
			'The ID of the task: "veo3:…" or "sora-2:…" from Video Create or Sora Chat Stream, "video_…" from Video From Image',
	},
	...downloadFields('binaryPropertyName'),
];

/** Reads one task's status from the API family its id belongs to, and downloads the video when asked. */
export async function execute(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const task = parseTaskId(ctx.getNodeParameter('taskId', itemIndex));
	const status = await apertisRequest(ctx, {
		method: 'GET',
		...statusRequestOf(task),
		kind: 'read',
		itemIndex,
		taskId: task.id,
	});
	const download = readDownloadSettings(ctx, 'binaryPropertyName');
	if (!download.downloadVideo(itemIndex) || finalStateOf(status.status) !== 'completed') {
		return { json: status };
	}
	return await withVideo(ctx, status, {
		task,
		videoUrl: videoUrlOf(status),
		itemIndex,
		binaryPropertyName: download.outputField(itemIndex),
	});
}
