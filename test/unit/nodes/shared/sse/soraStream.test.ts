import fc from 'fast-check';

import { readSoraStream, SoraStreamAborted } from '../../../../../nodes/shared/sse/soraStream';
import { asStream, chunk, event, FAMILY_MARKDOWN, FAMILY_TASK_ID, RECORDED, splitAt, TASK_ID, tokenStream, VIDEO_URL, withLineEnding } from './recordedStreams';

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

describe('readSoraStream: content in token-sized pieces (OpenAI-style chat streams)', () => {
	const content = `task_id: ${TASK_ID}\nprogress: 25%\nprogress: 100%\nvideo_url: ${VIDEO_URL}\n`;

	test('a URL and a task id split across events are read whole', async () => {
		const text = tokenStream(content, [12]);
		expect(text).toContain('"content":"storage.exam"'); // the URL really is cut between events
		expect(await read(text)).toEqual({ taskId: TASK_ID, videoUrl: VIDEO_URL, progress: 100, status: 'completed', sawDone: true });
	});

	test('property: any cut into pieces reads as the whole lines do', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 20 }), async (sizes) => {
				expect(await read(tokenStream(content, sizes))).toMatchObject({ taskId: TASK_ID, videoUrl: VIDEO_URL, status: 'completed' });
			}),
			{ numRuns: 200 },
		);
	});

	test('the last line without a line break is read at the end of the stream', async () => {
		expect(await read(tokenStream(content.trimEnd(), [5], false))).toMatchObject({ videoUrl: VIDEO_URL, status: 'completed', sawDone: false });
	});

	test('lines are forwarded whole, once complete', async () => {
		const lines: string[] = [];
		await read(tokenStream(content, [4]), (line) => lines.push(line));
		expect(lines).toEqual([`task_id: ${TASK_ID}`, 'progress: 25%', 'progress: 100%', `video_url: ${VIDEO_URL}`]);
	});
});

describe("readSoraStream: the gateway family's markdown", () => {
	test('ID line, 进度 numbers and the .mp4 link (not the preview page), in token pieces', async () => {
		expect(await read(tokenStream(FAMILY_MARKDOWN, [2, 5, 3]))).toEqual({ taskId: FAMILY_TASK_ID, videoUrl: VIDEO_URL, progress: 100, status: 'completed', sawDone: true });
	});

	test('a failure line of the family fails the item with its words', async () => {
		const text = tokenStream(`> ID: \`${FAMILY_TASK_ID}\`\n> ❌ 生成失败：内容违规\n`, [4]);
		expect(await read(text)).toMatchObject({ taskId: FAMILY_TASK_ID, status: 'failed', error: '❌ 生成失败：内容违规' });
	});
});

describe('readSoraStream: a failure only from an explicit signal', () => {
	test('"error" or "fail" inside another line is not a failure', async () => {
		const text = [chunk(`task_id: ${TASK_ID}`), chunk('progress note: retrying a failed upload, no error for you'), chunk(`video_url: ${VIDEO_URL}`), '[DONE]'].map(event).join('');
		expect(await read(text)).toMatchObject({ status: 'completed', videoUrl: VIDEO_URL });
	});

	test('a line that starts with a failure word fails', async () => {
		const text = [chunk(`task_id: ${TASK_ID}`), chunk('Error: the content was rejected'), '[DONE]'].map(event).join('');
		expect(await read(text)).toMatchObject({ taskId: TASK_ID, status: 'failed', error: 'Error: the content was rejected' });
	});

	test('a failing finish reason fails', async () => {
		const stop = JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'content_filter' }] });
		const text = [chunk(`task_id: ${TASK_ID}`), stop, '[DONE]'].map(event).join('');
		expect(await read(text)).toMatchObject({ taskId: TASK_ID, status: 'failed', error: 'The stream ended with finish reason "content_filter"' });
	});
});
