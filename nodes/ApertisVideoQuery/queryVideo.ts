import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { withVideo } from '../shared/binary/videoDownload';
import { parseTaskId, statusRequestOf } from '../shared/taskIds';
import { apertisRequest } from '../shared/transport/apertisRequest';

/** Reads one task's status from the API family its id belongs to, and downloads the video when asked. */
export async function queryVideo(ctx: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData> {
	const task = parseTaskId(ctx.getNodeParameter('taskId', itemIndex));
	const status = await apertisRequest<IDataObject>(ctx, {
		method: 'GET',
		...statusRequestOf(task),
		kind: 'read',
		itemIndex,
		taskId: task.id,
	});
	const downloadVideo = ctx.getNodeParameter('downloadVideo', itemIndex, false) as boolean;
	if (!downloadVideo || status.status !== 'completed') return { json: status };
	return await withVideo(ctx, status, {
		task,
		videoUrl: status.video_url,
		itemIndex,
		binaryPropertyName: ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string,
	});
}
