// The sandbox is what every other test trusts: here it is held to the API document over real HTTP.
import { createHash } from 'crypto';
import FormData from 'form-data';

import type { Sandbox } from '../../inprocess/harness/sandbox';
import { startSandbox, untilTaskDone } from '../../inprocess/harness/sandbox';

let sandbox: Sandbox;
beforeAll(async () => (sandbox = await startSandbox({ durationMs: 300 })));
afterAll(async () => await sandbox.close());
beforeEach(() => {
	sandbox.reset();
	sandbox.configure({ rateLimitEvery: 0, serverErrorEvery: 0, createServerErrorEvery: 0, requestsPerSecond: 0, quota: null, dropConnectionEvery: 0, sse: { lineEnding: '\n', chunkBytes: 0, dropAfterEvents: 0, errorAfterEvents: 0, omitDone: false, comments: false, multiLineData: false } });
});

const auth = (key = sandbox.apiKey) => ({ authorization: `Bearer ${key}` });
async function call(method: string, path: string, body?: unknown, key?: string) {
	const response = await fetch(`${sandbox.url}${path}`, {
		method,
		headers: { ...auth(key), ...(body ? { 'content-type': 'application/json' } : {}) },
		body: body ? JSON.stringify(body) : undefined,
	});
	return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}
const create = (body: Record<string, unknown>) => call('POST', '/v1/video/create', body);
const ref = 'https://images.example.com/a.jpg';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

async function postVideos(fields: Record<string, string>, file?: { data: Buffer; filename?: string; contentType?: string }) {
	const form = new FormData();
	for (const [name, value] of Object.entries(fields)) form.append(name, value);
	if (file) form.append('input_reference', file.data, { filename: file.filename, contentType: file.contentType });
	const response = await fetch(`${sandbox.url}/v1/videos`, { method: 'POST', headers: { ...auth(), ...form.getHeaders() }, body: form.getBuffer() });
	return { status: response.status, json: (await response.json()) as any };
}

describe('authentication and models', () => {
	test('a wrong key gets 401 and the key is not echoed', async () => {
		const answer = await call('GET', '/v1/models', undefined, 'sk-wrong-secret');
		expect(answer.status).toBe(401);
		expect(JSON.stringify(answer.json)).not.toContain('sk-wrong-secret');
		expect(sandbox.requests()).toEqual([expect.objectContaining({ path: '/v1/models', authorized: false, status: 401 })]);
	});

	test('/v1/models lists every model of the document', async () => {
		const answer = await call('GET', '/v1/models');
		expect(answer.json.data.map((m: { id: string }) => m.id)).toEqual(expect.arrayContaining(['veo2', 'veo3.1-fast', 'sora-2-pro', 'veo_3_1-fast']));
	});
});

describe('POST /v1/video/create is strict', () => {
	test.each([
		[{ model: 'veo2', prompt: 'p', aspect_ratio: '16:9' }, 'aspect_ratio'],
		[{ model: 'veo3', prompt: 'p', aspect_ratio: '4:3' }, 'aspect_ratio'],
		[{ model: 'veo3', prompt: 'p', images: [ref] }, 'images'],
		[{ model: 'veo3-pro-frames', prompt: 'p', images: [ref, ref] }, 'images'],
		[{ model: 'veo2-fast-frames', prompt: 'p', images: ['ftp://x/a.jpg'] }, 'images[0]'],
		[{ model: 'veo2', prompt: 'p', enhance_prompt: 'yes' }, 'enhance_prompt'],
		[{ model: 'veo2', prompt: 'p', duration: 10 }, 'duration'],
		[{ model: 'sora-2', prompt: 'p' }, 'images'],
		[{ model: 'sora-2', prompt: 'p', images: [ref], duration: 15 }, 'duration'],
		[{ model: 'sora-2-pro', prompt: 'p', images: [ref], duration: '15' }, 'duration'],
		[{ model: 'sora-2-pro', prompt: 'p', images: [ref], character_timestamps: '3,1' }, 'character_timestamps'],
		[{ model: 'sora-2', prompt: 'p', images: [ref], aspect_ratio: '16:9' }, 'aspect_ratio'],
		[{ model: 'veo_3_1', prompt: 'p' }, 'model'],
		[{ model: 'veo9', prompt: 'p' }, 'model'],
		[{ model: 'veo3', prompt: '  ' }, 'prompt'],
		[{ model: 'veo3' }, 'prompt'],
	])('%j → 400 naming %s', async (body, param) => {
		const answer = await create(body);
		expect(answer.status).toBe(400);
		expect(answer.json.error).toMatchObject({ type: 'invalid_request_error', param });
		expect(sandbox.tasks()).toHaveLength(0);
	});

	test('a body that is not JSON is a 400', async () => {
		const response = await fetch(`${sandbox.url}/v1/video/create`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"model":' });
		expect(response.status).toBe(400);
	});
});

describe('task lifecycle', () => {
	test('pending → processing → completed, with a video whose bytes are served from the storage host', async () => {
		const created = await create({ model: 'veo3', prompt: 'lake [duration:0.4]', enhance_prompt: true });
		expect(created.json).toMatchObject({ status: 'pending', id: expect.stringMatching(/^veo3:\d{10}-[a-z]{8}$/) });
		expect(created.json.enhanced_prompt).not.toBe('lake [duration:0.4]');
		const id = created.json.id;
		const early = await call('GET', `/v1/video/query?id=${encodeURIComponent(id)}`);
		expect(['pending', 'processing']).toContain(early.json.status);
		expect(early.json.video_url).toBeNull();
		expect((await fetch(`${sandbox.filesUrl}/files/${encodeURIComponent(id)}.mp4`)).status).toBe(404);
		await untilTaskDone(sandbox, id);
		const done = await call('GET', `/v1/video/query?id=${encodeURIComponent(id)}`);
		expect(done.json).toMatchObject({ id, status: 'completed', video_url: `${sandbox.filesUrl}/files/${encodeURIComponent(id)}.mp4` });
		const video = await fetch(done.json.video_url);
		expect(video.headers.get('content-type')).toBe('video/mp4');
		const bytes = Buffer.from(await video.arrayBuffer());
		expect(bytes.subarray(4, 8).toString()).toBe('ftyp');
		expect(createHash('sha256').update(bytes).digest('hex')).toBe(await sandbox.videoSha256(id));
		expect(sandbox.tasks()[0].observedDoneAt).toEqual(expect.any(Number));
	});

	test('[fail] ends failed, [never] keeps processing, an unknown id is a 404', async () => {
		const failing = (await create({ model: 'veo2', prompt: 'x [fail] [duration:0.1]' })).json.id;
		const never = (await create({ model: 'veo2', prompt: 'x [never]' })).json.id;
		await untilTaskDone(sandbox, failing);
		expect((await call('GET', `/v1/video/query?id=${encodeURIComponent(failing)}`)).json).toMatchObject({ status: 'failed', video_url: null });
		expect((await call('GET', `/v1/video/query?id=${encodeURIComponent(never)}`)).json.status).toBe('processing');
		const missing = await call('GET', '/v1/video/query?id=veo2:0000000000-abcdefgh');
		expect(missing.status).toBe(404);
		expect((await call('GET', '/v1/video/query')).status).toBe(400);
	});
});

describe('POST /v1/videos (multipart)', () => {
	const fields = { model: 'veo_3_1', prompt: 'lake [duration:0.3]', seconds: '5', size: '16x9', watermark: 'false' };

	test('records the image bytes, name and type, then serves status, progress and content', async () => {
		const answer = await postVideos(fields, { data: PNG, filename: 'ref.png', contentType: 'image/png' });
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({ id: expect.stringMatching(/^video_[0-9a-f-]{36}$/), object: 'video', model: 'veo_3_1', status: 'queued', progress: 0, seconds: 5, size: '16x9' });
		expect(sandbox.requests()[0].body).toEqual({
			fields: { model: 'veo_3_1', prompt: 'lake [duration:0.3]', seconds: '5', size: '16x9', watermark: 'false' },
			files: [{ field: 'input_reference', filename: 'ref.png', contentType: 'image/png', size: PNG.length, sha256: createHash('sha256').update(PNG).digest('hex') }],
		});
		const id = answer.json.id;
		expect((await call('GET', `/v1/videos/${id}/content`)).status).toBe(409);
		await untilTaskDone(sandbox, id);
		expect((await call('GET', `/v1/videos/${id}`)).json).toMatchObject({ id, status: 'completed', progress: 100 });
		const content = await fetch(`${sandbox.url}/v1/videos/${id}/content`, { headers: auth() });
		expect(createHash('sha256').update(Buffer.from(await content.arrayBuffer())).digest('hex')).toBe(await sandbox.videoSha256(id));
		expect((await call('GET', `/v1/video/query?id=${id}`)).status).toBe(404);
	});

	test.each([
		[{ ...fields, seconds: '0' }, { data: PNG, filename: 'a.png', contentType: 'image/png' }, 'seconds'],
		[{ ...fields, size: '1x1' }, { data: PNG, filename: 'a.png', contentType: 'image/png' }, 'size'],
		[{ ...fields, model: 'veo3' }, { data: PNG, filename: 'a.png', contentType: 'image/png' }, 'model'],
		[{ ...fields, aspect_ratio: '16:9' }, { data: PNG, filename: 'a.png', contentType: 'image/png' }, 'aspect_ratio'],
		[fields, undefined, 'input_reference'],
		[fields, { data: Buffer.from('plain text'), filename: 'a.png', contentType: 'image/png' }, 'input_reference'],
	])('%j with a bad part → 400 naming %s', async (body, file, param) => {
		const answer = await postVideos(body, file);
		expect(answer.status).toBe(400);
		expect(answer.json.error.param).toBe(param);
	});

	test('a JSON body is refused', async () => {
		expect((await call('POST', '/v1/videos', fields)).status).toBe(400);
	});
});

describe('POST /v1/chat/completions streams Server-Sent Events', () => {
	async function stream(sse: Record<string, unknown>, prompt = 'lake [duration:0.3]') {
		sandbox.configure({ sse: { progressIntervalMs: 50, lineEnding: '\n', comments: false, multiLineData: false, chunkBytes: 0, errorAfterEvents: 0, omitDone: false, dropAfterEvents: 0, ...sse } });
		try {
			const response = await fetch(`${sandbox.url}/v1/chat/completions`, {
				method: 'POST',
				headers: { ...auth(), 'content-type': 'application/json' },
				body: JSON.stringify({ model: 'sora-2', stream: true, messages: [{ role: 'user', content: prompt }] }),
			});
			expect(response.headers.get('content-type')).toContain('text/event-stream');
			return Buffer.from(await response.arrayBuffer()).toString('utf8');
		} catch (error) {
			return `DROPPED: ${(error as Error).message}`;
		}
	}

	test('task_id, progress, video_url, [DONE]; the task is visible to /v1/video/query', async () => {
		const text = await stream({});
		const taskId = /task_id: (sora-2:\d{10}-[a-z]{8})/.exec(text)![1];
		expect(text).toMatch(/"content":"progress: \d+%"/);
		expect(text).toContain(`video_url: ${sandbox.filesUrl}/files/`);
		expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
		expect((await call('GET', `/v1/video/query?id=${taskId}`)).json.status).toBe('completed');
	});

	test('faults: CRLF with comments and multi-line data, an error event, no [DONE], a dropped connection', async () => {
		const crlf = await stream({ lineEnding: '\r\n', comments: true, multiLineData: true, chunkBytes: 3 });
		expect(crlf).toContain(': keep-alive\r\n');
		expect(crlf).not.toMatch(/[^\r]\n/);
		expect(crlf.split('\r\ndata: ').length).toBeGreaterThan(10);
		expect(await stream({ errorAfterEvents: 1 })).toMatch(/data: \{"error":\{"message":"The upstream video service/);
		expect(await stream({ omitDone: true })).not.toContain('[DONE]');
		const dropped = await stream({ dropAfterEvents: 1 }, 'lake [duration:5]');
		expect(dropped).toMatch(/^DROPPED/);
		expect(sandbox.requests().at(-1)).toMatchObject({ fault: 'dropped' });
	});

	test('a failing task reports the failure in the content', async () => {
		expect(await stream({}, 'x [fail] [duration:0.1]')).toContain('Video generation failed');
	});
});

describe('faults', () => {
	test('rateLimitEvery answers 429 with Retry-After', async () => {
		sandbox.configure({ rateLimitEvery: 2, retryAfterSeconds: 3 });
		expect((await call('GET', '/v1/models')).status).toBe(200);
		const limited = await call('GET', '/v1/models');
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('3');
	});

	test('requestsPerSecond limits a burst', async () => {
		sandbox.configure({ requestsPerSecond: 3 });
		const statuses = await Promise.all(Array.from({ length: 6 }, async () => (await call('GET', '/v1/models')).status));
		expect(statuses.filter((status) => status === 429)).toHaveLength(3);
	});

	test('serverErrorEvery fails polls; createServerErrorEvery creates the task, then answers 500', async () => {
		sandbox.configure({ serverErrorEvery: 2, createServerErrorEvery: 1 });
		const created = await create({ model: 'veo2', prompt: 'p' });
		expect(created.status).toBe(500);
		expect(sandbox.tasks()).toHaveLength(1);
		const id = sandbox.tasks()[0].id;
		expect((await call('GET', `/v1/video/query?id=${id}`)).status).toBe(200);
		expect((await call('GET', `/v1/video/query?id=${id}`)).status).toBe(500);
	});

	test('quota: creates beyond it answer 402', async () => {
		sandbox.configure({ quota: 1 });
		expect((await create({ model: 'veo2', prompt: 'p' })).status).toBe(200);
		expect((await create({ model: 'veo2', prompt: 'p' })).json.error.type).toBe('insufficient_quota');
	});

	test('the admin endpoints expose the log and tasks and reset them', async () => {
		await create({ model: 'veo2', prompt: 'p' });
		expect(((await (await fetch(`${sandbox.url}/__sandbox/tasks`)).json()) as unknown[]).length).toBe(1);
		await fetch(`${sandbox.url}/__sandbox/reset`, { method: 'POST' });
		expect(sandbox.requests()).toHaveLength(0);
	});
});
