import { createHash } from 'crypto';
import type { INodeParameters } from 'n8n-workflow';

import { binaryBytes } from './harness/binary';
import { runWorkflow } from './harness/runWorkflow';
import type { Sandbox } from './harness/sandbox';
import { startSandbox } from './harness/sandbox';

jest.setTimeout(30_000);

const CLEAN_SSE = { progressIntervalMs: 50, chunkBytes: 0, lineEnding: '\n', comments: false, multiLineData: false, dropAfterEvents: 0, omitDone: false, errorAfterEvents: 0 };

let sandbox: Sandbox;
beforeAll(async () => (sandbox = await startSandbox({ durationMs: 400 })));
afterAll(async () => await sandbox.close());
beforeEach(() => {
	sandbox.reset();
	sandbox.configure({ sse: CLEAN_SSE });
});

async function stream(parameters: INodeParameters = {}, options: { continueOnFail?: boolean; cancelAfterMs?: number; streaming?: boolean } = {}) {
	return await runWorkflow({
		nodes: [
			{ name: 'Start', type: 'test.testItems', parameters: { items: JSON.stringify([{ json: {} }]) } },
			{ name: 'Sora', type: 'apertisSoraChatStream', parameters: { model: 'sora-2', prompt: 'A lake at dawn', ...parameters }, continueOnFail: options.continueOnFail },
		],
		credentials: { baseUrl: sandbox.url, apiKey: sandbox.apiKey },
		cancelAfterMs: options.cancelAfterMs,
		streaming: options.streaming,
	});
}
const chatRequests = () => sandbox.requests().filter((r) => r.path === '/v1/chat/completions');
const streamedTaskId = () => chatRequests()[0]?.taskId;

describe('Sora Chat Stream through n8n-core against the sandbox', () => {
	test('sends the chat request and reads task id, progress and video URL from the stream', async () => {
		const result = await stream({ model: 'sora-2-pro' });
		expect(result.error('Sora')).toBeUndefined();
		expect(chatRequests().map((r) => r.body)).toEqual([{ model: 'sora-2-pro', stream: true, messages: [{ role: 'user', content: 'A lake at dawn' }] }]);
		expect(result.output('Sora')[0].json).toEqual({ task_id: streamedTaskId(), video_url: expect.stringContaining('/files/'), progress: 100, status: 'completed' });
	});

	test.each([
		['tiny chunks, CRLF, comments, multi-line data', { chunkBytes: 3, lineEnding: '\r\n', comments: true, multiLineData: true }],
		['CR line endings in single bytes', { chunkBytes: 1, lineEnding: '\r' }],
		['no [DONE]', { omitDone: true }],
	])('the same result through %s', async (_name, sse) => {
		sandbox.configure({ sse: { ...CLEAN_SSE, ...sse } });
		const result = await stream();
		expect(result.output('Sora')[0].json).toEqual({ task_id: streamedTaskId(), video_url: expect.stringContaining('/files/'), progress: 100, status: 'completed' });
	});

	test.each([
		['an error event', { errorAfterEvents: 2 }, 'The upstream video service returned an error (sandbox fault).'],
		['a dropped connection', { dropAfterEvents: 2 }, 'The connection was lost before the video was ready'],
	])('%s fails the item with the task id in its description', async (_name, sse, message) => {
		sandbox.configure({ sse: { ...CLEAN_SSE, ...sse } });
		const error = (await stream()).error('Sora');
		expect(error?.message).toContain(message);
		expect(error?.description).toContain(streamedTaskId());
	});

	test('a failed generation under Continue On Fail: status failed, the task id and the reason on the item', async () => {
		const result = await stream({ prompt: 'A lake [fail] [duration:0.2]' }, { continueOnFail: true });
		expect(result.output('Sora')[0].json).toMatchObject({ task_id: streamedTaskId(), status: 'failed', error: expect.stringContaining('Video generation failed') });
	});

	test('the time-out fails the item and keeps the task id', async () => {
		const result = await stream({ prompt: 'Endless [never]', options: { timeout: 0.05 } }, { continueOnFail: true });
		expect(result.output('Sora')[0].json).toMatchObject({ task_id: streamedTaskId(), status: 'failed', error: 'No video within the time-out of 0.05 minutes' });
	});

	test('stopping the execution aborts the stream at once', async () => {
		const result = await stream({ prompt: 'Endless [never]' }, { cancelAfterMs: 800 });
		expect(result.finishedAt - result.cancelledAt!).toBeLessThan(1000);
	});

	test('when the workflow streams its response, the progress lines are forwarded as they arrive', async () => {
		const result = await stream({}, { streaming: true });
		const lines = result.chunks.filter((chunk) => chunk.type === 'item').map((chunk) => String(chunk.content).trim());
		expect(result.chunks[0]).toMatchObject({ type: 'begin', metadata: { nodeName: 'Sora', itemIndex: 0 } });
		expect(result.chunks.at(-1)).toMatchObject({ type: 'end' });
		expect(lines[0]).toBe(`task_id: ${streamedTaskId()}`);
		expect(lines.filter((line) => /^progress: \d+%$/.test(line)).length).toBeGreaterThan(1);
		expect(lines.at(-1)).toMatch(/^video_url: http/);
		// Without a streaming caller nothing is sent.
		expect((await stream()).chunks).toEqual([]);
	});

	test('downloads the video as binary with the bytes the sandbox served', async () => {
		const result = await stream({ downloadVideo: true, binaryPropertyName: 'clip' });
		const [item] = result.output('Sora');
		expect(item.binary?.clip).toMatchObject({ mimeType: 'video/mp4', fileName: expect.stringMatching(/\.mp4$/) });
		expect(createHash('sha256').update(await binaryBytes(item, 'clip')).digest('hex')).toBe(await sandbox.videoSha256(String(item.json.task_id)));
	});

	test.each([
		[{ prompt: '  ' }, /Prompt is empty/],
		[{ model: 'veo3' }, /Model "veo3"/],
	])('bad input %j fails before any request', async (parameters, message) => {
		expect((await stream(parameters)).error('Sora')?.message).toMatch(message);
		expect(sandbox.requests()).toHaveLength(0);
	});

	test('the task id from the stream is picked up by Wait Until Done', async () => {
		const result = await runWorkflow({
			nodes: [
				{ name: 'Start', type: 'test.testItems', parameters: { items: JSON.stringify([{ json: {} }]) } },
				{ name: 'Sora', type: 'apertisSoraChatStream', parameters: { model: 'sora-2', prompt: 'A lake' } },
				{ name: 'Wait', type: 'apertisWaitUntilDone', parameters: {} },
			],
			credentials: { baseUrl: sandbox.url, apiKey: sandbox.apiKey },
		});
		expect(result.output('Wait', 0)[0].json).toMatchObject({ id: streamedTaskId(), status: 'completed' });
	});
});
