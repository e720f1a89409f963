import fc from 'fast-check';

import { readSoraStream, SoraStreamAborted } from '../../../../../nodes/shared/sse/soraStream';
import { asStream, RECORDED, splitAt, TASK_ID, VIDEO_URL, withLineEnding } from './recordedStreams';

const bytes = (text: string) => new TextEncoder().encode(text);
const read = async (text: string, onProgress?: (line: string) => void) => await readSoraStream(asStream([bytes(text)]), { onProgress });

describe('readSoraStream', () => {
	test('a normal stream: task id, last progress, video URL, completed; lines forwarded in order', async () => {
		const lines: string[] = [];
		expect(await read(RECORDED.normal, (line) => lines.push(line))).toEqual({ taskId: TASK_ID, videoUrl: VIDEO_URL, progress: 100, status: 'completed', sawDone: true });
		expect(lines).toEqual([`task_id: ${TASK_ID}`, 'progress: 0%', 'progress: 25%', 'progress: 100%', `video_url: ${VIDEO_URL}`]);
	});

	test('comments and multi-line data fields change nothing', async () => {
		expect(await read(RECORDED.withComments)).toMatchObject({ taskId: TASK_ID, videoUrl: VIDEO_URL, progress: 40, status: 'completed' });
		expect(await read(RECORDED.multiLineData)).toMatchObject({ taskId: TASK_ID, videoUrl: VIDEO_URL, status: 'completed' });
	});

	test("an error event fails with the API's words and keeps the task id", async () => {
		expect(await read(RECORDED.errorEvent)).toEqual({ taskId: TASK_ID, progress: 10, status: 'failed', error: 'Upstream service unavailable', sawDone: false });
	});

	test('content reporting a failure fails with that text', async () => {
		expect(await read(RECORDED.failureContent)).toMatchObject({ taskId: TASK_ID, status: 'failed', error: 'Video generation failed: content policy violation' });
	});

	test('a stream that ends without [DONE] but with a video URL is completed', async () => {
		expect(await read(RECORDED.noDone)).toMatchObject({ status: 'completed', videoUrl: VIDEO_URL, sawDone: false });
	});

	test('a stream that ends without a video URL fails and says so', async () => {
		expect(await read(RECORDED.normal.split('data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"sora-2","choices":[{"index":0,"delta":{"content":"video_url')[0])).toMatchObject({
			taskId: TASK_ID,
			status: 'failed',
			error: 'The connection closed before the stream finished, without a video URL',
		});
	});

	test('a dropped connection after the task id: failed, not thrown, id kept', async () => {
		async function* dropping() {
			yield bytes(RECORDED.normal.slice(0, RECORDED.normal.indexOf('progress: 25%')));
			throw new Error('socket hang up');
		}
		expect(await readSoraStream(dropping())).toMatchObject({ taskId: TASK_ID, status: 'failed', error: 'The connection was lost before the video was ready: socket hang up' });
	});

	test('an abort while the server is silent throws SoraStreamAborted with the task id, at once', async () => {
		const controller = new AbortController();
		async function* silentAfterTaskId() {
			yield bytes(RECORDED.normal.split('\n\n')[0] + '\n\n');
			await new Promise(() => {}); // the server never sends again
		}
		setTimeout(() => controller.abort(), 50);
		const reading = readSoraStream(silentAfterTaskId(), { signal: controller.signal });
		await expect(reading).rejects.toBeInstanceOf(SoraStreamAborted);
		await expect(reading).rejects.toMatchObject({ taskId: TASK_ID });
	});

	test('property: every recorded stream, split anywhere and with any line endings, reads the same', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(...Object.keys(RECORDED)),
				fc.constantFrom<'\n' | '\r\n' | '\r'>('\n', '\r\n', '\r'),
				fc.array(fc.nat(), { maxLength: 80 }),
				async (name, ending, cuts) => {
					const expected = await read(RECORDED[name]);
					const pieces = splitAt(bytes(withLineEnding(RECORDED[name], ending)), cuts);
					expect(await readSoraStream(asStream(pieces))).toEqual(expected);
				},
			),
			{ numRuns: 300 },
		);
	});
});
