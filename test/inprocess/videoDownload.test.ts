// nodes/shared/binary/videoDownload.ts in a real execution: what the package's nodes reach only when the API leaves
// out a finished task's video_url. A test node hands withVideo the task and the URL as a caller does; the context,
// credentials, HTTP and binary store are n8n-core's, the API the sandbox's.
import { createHash } from 'crypto';
import FormData from 'form-data';
import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import { withVideo } from '../../nodes/shared/binary/videoDownload';
import { parseTaskId } from '../../nodes/shared/taskIds';
import { binaryBytes } from './harness/binary';
import { testNodeDescription } from './harness/fixtureNodes';
import { registerNodeType } from './harness/nodeTypes';
import { PACKAGE, runWorkflow } from './harness/runWorkflow';
import type { LoggedRequest, Sandbox } from './harness/sandbox';
import { startSandbox, untilTaskDone } from './harness/sandbox';

/** Downloads each item's task (`taskId`) into binary `video`, from `videoUrl` when it is not empty. */
class DownloadVideo implements INodeType {
	description = testNodeDescription({
		displayName: 'Test Download Video',
		name: 'testDownloadVideo',
		description: 'Calls withVideo for each item',
		credentials: [{ name: 'apertisApi', required: true }],
		properties: [
			{ displayName: 'Task ID', name: 'taskId', type: 'string', default: '={{ $json.id }}' },
			{ displayName: 'Video URL', name: 'videoUrl', type: 'string', default: '' },
		],
	});

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const output: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < this.getInputData().length; itemIndex++) {
			const task = parseTaskId(this.getNodeParameter('taskId', itemIndex));
			const videoUrl = this.getNodeParameter('videoUrl', itemIndex);
			output.push(await withVideo(this, { id: task.id }, { task, videoUrl, itemIndex, binaryPropertyName: 'video' }));
		}
		return [output];
	}
}
// Under the package's prefix, so that the harness gives it the Apertis credential.
registerNodeType(`${PACKAGE}.testDownloadVideo`, new DownloadVideo());

const KEY = 'sk-sandbox-download-5d2a90e1';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let sandbox: Sandbox;
beforeAll(async () => (sandbox = await startSandbox({ apiKey: KEY, durationMs: 200 })));
afterAll(async () => await sandbox.close());
beforeEach(() => sandbox.reset());

/** A /v1/videos task, created over HTTP as Video From Image would. */
async function videosTask(prompt: string): Promise<string> {
	const form = new FormData();
	for (const [name, value] of Object.entries({ model: 'veo_3_1', prompt, seconds: '5', size: '16x9' })) form.append(name, value);
	form.append('input_reference', PNG, { filename: 'ref.png', contentType: 'image/png' });
	const response = await fetch(`${sandbox.url}/v1/videos`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, ...form.getHeaders() }, body: form.getBuffer() });
	return ((await response.json()) as { id: string }).id;
}

/** Runs the test node for task `id`; `requests` are those of the download only. */
async function download(id: string, videoUrl = '') {
	const before = sandbox.requests().length;
	const result = await runWorkflow({
		nodes: [
			{ name: 'Task', type: 'test.testItems', parameters: { items: JSON.stringify([{ json: { id } }]) } },
			{ name: 'Download', type: 'testDownloadVideo', parameters: { videoUrl } },
		],
		credentials: { baseUrl: sandbox.url, apiKey: KEY },
	});
	return { ...result, requests: sandbox.requests().slice(before) };
}

const described = (requests: LoggedRequest[]) =>
	requests.map((r) => `${r.server} ${r.method} ${r.path} ${r.status}${r.authorized ? ' with the key' : ''}`);

describe('downloadVideo through n8n-core against the sandbox', () => {
	test('a /v1/videos task without a video URL: the video comes from GET /v1/videos/{id}/content, with the key', async () => {
		const id = await videosTask('Waves [duration:0.1]');
		await untilTaskDone(sandbox, id);
		const result = await download(id);
		expect(result.error('Download')).toBeUndefined();
		const [item] = result.output('Download');
		expect(item.binary?.video).toMatchObject({ mimeType: 'video/mp4', fileName: `${id}.mp4` });
		expect(sha256(await binaryBytes(item, 'video'))).toBe(await sandbox.videoSha256(id));
		expect(described(result.requests)).toEqual([`api GET /v1/videos/${id}/content 200 with the key`]);
	});

	test('a video URL is taken even for a /v1/videos task, and the storage host never gets the key', async () => {
		const id = await videosTask('Waves [duration:0.1]');
		await untilTaskDone(sandbox, id);
		const result = await download(id, `${sandbox.filesUrl}/files/${id}.mp4`);
		expect(sha256(await binaryBytes(result.output('Download')[0], 'video'))).toBe(await sandbox.videoSha256(id));
		expect(result.requests).toEqual([expect.objectContaining({ server: 'files', path: `/files/${id}.mp4`, sentAuthorization: false })]);
	});

	test('a finished /v1/video/create task without a video URL fails naming the task, and nothing is requested', async () => {
		const id = 'veo3:1234567890-abcdefgh';
		const result = await download(id);
		const error = result.error('Download');
		expect(error?.message).toBe(`Task ${id} is completed but the API gave no video URL`);
		expect(error?.description).toBe(`Nothing was downloaded. Query the task again later with Video Query; its video_url may appear. Task id: ${id}.`);
		expect(error?.context).toMatchObject({ taskId: id, itemIndex: 0 });
		expect(result.requests).toEqual([]);
	});

	test('a download the API refuses names the task, and never the API key', async () => {
		const id = await videosTask('Endless [never]');
		const error = (await download(id)).error('Download');
		expect(error?.message).toBe(`The Apertis API answered 409: Video ${id} is not ready: its status is in_progress.`);
		expect(error?.description).toContain(`Task id: ${id}.`);
		expect(error?.context).toMatchObject({ taskId: id, itemIndex: 0 });
		const said = JSON.stringify({ error, message: error?.message, description: error?.description, context: error?.context, stack: error?.stack });
		expect(said).not.toContain(KEY);
	});
});
