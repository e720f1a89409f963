// The sandbox's variants (test/sandbox/variants.js): other plausible shapes of the real API, each shown here over real
// HTTP, and the default (the document's example shapes) shown unchanged.
import { createHash } from 'crypto';
import FormData from 'form-data';

import type { Sandbox } from '../../inprocess/harness/sandbox';
import { startSandbox, untilTaskDone } from '../../inprocess/harness/sandbox';

let sandbox: Sandbox;
beforeAll(async () => (sandbox = await startSandbox({ durationMs: 300, sse: { progressIntervalMs: 30 } })));
afterAll(async () => await sandbox.close());
beforeEach(() => {
	sandbox.reset();
	sandbox.configure({ variant: [] });
});

const auth = () => ({ authorization: `Bearer ${sandbox.apiKey}` });
async function call(method: string, path: string, body?: unknown) {
	const response = await fetch(`${sandbox.url}${path}`, {
		method,
		headers: { ...auth(), ...(body ? { 'content-type': 'application/json' } : {}) },
		body: body ? JSON.stringify(body) : undefined,
	});
	return { status: response.status, json: (await response.json()) as any };
}
const create = async (body: Record<string, unknown>) => (await call('POST', '/v1/video/create', body)).json;
const query = async (id: string) => (await call('GET', `/v1/video/query?id=${encodeURIComponent(id)}`)).json;
const getVideo = async (id: string) => (await call('GET', `/v1/videos/${encodeURIComponent(id)}`)).json;
const ref = 'https://images.example.com/a.jpg';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

async function postVideos(prompt: string) {
	const form = new FormData();
	for (const [name, value] of Object.entries({ model: 'veo_3_1-fast', prompt, seconds: '5', size: '16x9' })) form.append(name, value);
	form.append('input_reference', PNG, { filename: 'ref.png', contentType: 'image/png' });
	const response = await fetch(`${sandbox.url}/v1/videos`, { method: 'POST', headers: { ...auth(), ...form.getHeaders() }, body: form.getBuffer() });
	return (await response.json()) as any;
}

/** Waits 10 ms between polls. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 10));
/**
 * At most this many polls: at least 5 s of pauses, far beyond the tasks here (under a second). A bound on polls, not
 * on the clock, so a slow machine needs fewer of them and never meets it.
 */
const MAX_POLLS = 500;

/** Polls until a final status: every distinct status in order (from the create answer's `first`, if given), and the last answer. */
async function walk(poll: () => Promise<any>, first?: string) {
	const final = /^(completed|failed|error|cancelled|expired|rejected|failure|\w+_failed)$/i;
	const seen: string[] = first === undefined ? [] : [first];
	for (let polls = 0; polls < MAX_POLLS; polls++) {
		const answer = await poll();
		if (seen.at(-1) !== answer.status) seen.push(answer.status);
		if (final.test(answer.status)) return { seen, last: answer };
		await pause();
	}
	throw new Error(`no final status after ${MAX_POLLS} polls: ${seen.join(', ')}`);
}

/** The Sora chat stream: its raw text, every delta.content piece, and the pieces joined. */
async function chatStream(prompt = 'lake') {
	const response = await fetch(`${sandbox.url}/v1/chat/completions`, {
		method: 'POST',
		headers: { ...auth(), 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'sora-2', stream: true, messages: [{ role: 'user', content: prompt }] }),
	});
	const text = await response.text();
	const pieces = text
		.split('\n\n')
		.map((event) => event.replace(/^data: /, ''))
		.filter((data) => data.startsWith('{'))
		.map((data) => JSON.parse(data).choices[0].delta.content as string);
	return { text, pieces, content: pieces.join('') };
}

const sha256 = async (url: string) => createHash('sha256').update(Buffer.from(await (await fetch(url)).arrayBuffer())).digest('hex');

test('the default is the document: example shapes, whole-line stream events, no variant active', async () => {
	const [created, videos] = await Promise.all([create({ model: 'veo3', prompt: 'lake' }), postVideos('lake')]);
	expect(Object.keys(created)).toEqual(['id', 'status', 'status_update_time', 'enhanced_prompt']);
	expect(created).toMatchObject({ id: expect.stringMatching(/^veo3:\d{10}-[a-z]{8}$/), status: 'pending', status_update_time: expect.any(Number) });
	expect(videos).toMatchObject({ id: expect.stringMatching(/^video_[0-9a-f-]{36}$/), status: 'queued', progress: 0, seconds: 5, created_at: expect.any(Number) });
	const [{ seen, last }, video, { pieces }] = await Promise.all([walk(() => query(created.id), created.status), walk(() => getVideo(videos.id), videos.status), chatStream()]);
	expect(seen).toEqual(['pending', 'processing', 'completed']);
	expect(Object.keys(last)).toEqual(['id', 'status', 'video_url', 'enhanced_prompt', 'status_update_time']);
	expect(last.id).toBe(created.id);
	expect(last.status_update_time).toBeLessThan(1e12);
	expect(video.seen).toEqual(['queued', 'in_progress', 'completed']);
	expect(pieces[0]).toMatch(/^task_id: sora-2:\d{10}-[a-z]{8}$/);
	expect(pieces.slice(1, -1).every((piece) => /^progress: \d+%$/.test(piece))).toBe(true);
	expect(pieces.at(-1)).toMatch(/^video_url: http:\/\/.+\.mp4$/);
	expect(sandbox.config().variant).toEqual([]);
	expect(((await (await fetch(`${sandbox.url}/__sandbox/variants`)).json()) as any[]).filter((v) => v.active)).toEqual([]);
});

test('variant takes a name, "a,b" or an array, through configure() and POST /__sandbox/config; an unknown name is refused', async () => {
	sandbox.configure({ variant: 'strings, sparse' });
	expect(sandbox.config().variant).toEqual(['sparse', 'strings']);
	const posted = await fetch(`${sandbox.url}/__sandbox/config`, { method: 'POST', body: JSON.stringify({ variant: ['family', 'tokens'] }) });
	expect(((await posted.json()) as any).variant).toEqual(['tokens', 'family']);
	expect((await (await fetch(`${sandbox.url}/__sandbox/config`)).json()) as any).toMatchObject({ variant: ['tokens', 'family'] });
	const bad = await fetch(`${sandbox.url}/__sandbox/config`, { method: 'POST', body: JSON.stringify({ variant: 'shouty' }) });
	expect(bad.status).toBe(400);
	expect(() => sandbox.configure({ variant: 'shouty' })).toThrow(/unknown sandbox variant "shouty"/);
	expect(sandbox.config().variant).toEqual(['tokens', 'family']);
});

test('tokens: the stream content comes in 1-6 character pieces, a line and the task id split across events', async () => {
	sandbox.configure({ variant: 'tokens' });
	const { pieces, content } = await chatStream();
	const lines = content.split('\n');
	expect(lines[0]).toMatch(/^task_id: sora-2:\d{10}-[a-z]{8}$/);
	expect(content).toMatch(/\nvideo_url: http:\/\/\S+\.mp4\n$/);
	const taskId = lines[0].slice('task_id: '.length);
	const videoLine = lines.find((line) => line.startsWith('video_url: '))!;
	expect(pieces.every((piece) => Array.from(piece).length >= 1 && Array.from(piece).length <= 6)).toBe(true);
	expect(pieces.some((piece) => piece.includes(videoLine) || piece.includes(taskId))).toBe(false);
	expect(pieces.some((piece) => /\n./.test(piece) || /.\n/.test(piece))).toBe(true);
	expect((await query(taskId)).status).toBe('completed');
	expect((await fetch(videoLine.slice('video_url: '.length))).status).toBe(200);
});

test('failure-words: failed tasks say error/cancelled/expired/rejected/failure; the stream says "Error:", and a completing one mentions error inside a line', async () => {
	sandbox.configure({ variant: 'failure-words' });
	const ids = await Promise.all(Array.from({ length: 5 }, async () => (await create({ model: 'veo2', prompt: 'x [fail] [duration:0.1]' })).id as string));
	const videos = await postVideos('x [fail] [duration:0.1]');
	const words = await Promise.all(ids.map(async (id) => (await walk(() => query(id))).last.status));
	expect(new Set(words)).toEqual(new Set(['error', 'cancelled', 'expired', 'rejected', 'failure']));
	expect(['error', 'cancelled', 'expired', 'rejected', 'failure']).toContain((await walk(() => getVideo(videos.id), videos.status)).last.status);
	const failing = await chatStream('x [fail] [duration:0.1]');
	expect(failing.pieces.at(-1)).toMatch(/^Error: the content was rejected/);
	const completing = await chatStream('lake');
	const note = completing.pieces.find((piece) => /error/i.test(piece) && /fail/i.test(piece));
	expect(note).toBe('progress note: retrying a failed upload, no error for you');
	expect(completing.pieces.at(-1)).toMatch(/^video_url: /);
});

test('opaque-ids: ids without a model prefix (task_<ULID> and numbers), video_<16 hex>; the query APIs and the files server take them', async () => {
	sandbox.configure({ variant: 'opaque-ids' });
	const first = (await create({ model: 'veo3', prompt: 'lake' })).id;
	const second = (await create({ model: 'veo3', prompt: 'lake' })).id;
	expect(first).toMatch(/^task_[0-9a-hjkmnp-tv-z]{26}$/);
	expect(second).toMatch(/^\d{8}$/);
	const videos = await postVideos('lake');
	expect(videos.id).toMatch(/^video_[0-9a-f]{16}$/);
	const [one, two, video, { pieces }] = await Promise.all([walk(() => query(first)), walk(() => query(second)), walk(() => getVideo(videos.id), videos.status), chatStream()]);
	for (const [id, { last }] of [[first, one], [second, two]] as const) {
		expect(last).toMatchObject({ id, status: 'completed' });
		expect((await fetch(last.video_url)).status).toBe(200);
	}
	expect(video.last.status).toBe('completed');
	expect(pieces[0]).toMatch(/^task_id: (task_[0-9a-z]{26}|\d{8})$/);
	expect(sandbox.requests().filter((entry) => entry.taskId !== undefined && entry.method === 'POST')).toHaveLength(4);
});

test('upper-case: every status word in upper case', async () => {
	sandbox.configure({ variant: 'upper-case' });
	const created = await create({ model: 'veo3', prompt: 'lake' });
	expect(created.status).toBe('PENDING');
	const failing = (await create({ model: 'veo3', prompt: 'x [fail] [duration:0.1]' })).id;
	const videos = await postVideos('lake');
	expect(videos.status).toBe('QUEUED');
	const [done, failed, video] = await Promise.all([walk(() => query(created.id), created.status), walk(() => query(failing)), walk(() => getVideo(videos.id), videos.status)]);
	expect(done.seen).toEqual(['PENDING', 'PROCESSING', 'COMPLETED']);
	expect(failed.last.status).toBe('FAILED');
	expect(video.seen).toEqual(['QUEUED', 'IN_PROGRESS', 'COMPLETED']);
});

test('sparse: no status_update_time, created_at, progress, enhanced_prompt; video_url absent while running', async () => {
	sandbox.configure({ variant: 'sparse' });
	const created = await create({ model: 'veo3', prompt: 'lake', enhance_prompt: true });
	expect(Object.keys(created)).toEqual(['id', 'status']);
	const running = await query(created.id);
	expect(Object.keys(running)).toEqual(['id', 'status']);
	const { last } = await walk(() => query(created.id), created.status);
	expect(Object.keys(last)).toEqual(['id', 'status', 'video_url']);
	const videos = await postVideos('lake');
	expect(Object.keys(videos)).toEqual(['id', 'object', 'model', 'status', 'seconds', 'size']);
	expect(Object.keys(await getVideo(videos.id))).toEqual(['id', 'object', 'model', 'status', 'seconds', 'size']);
});

test('strings: progress, status_update_time, created_at and seconds as strings', async () => {
	sandbox.configure({ variant: 'strings' });
	const created = await create({ model: 'veo3', prompt: 'lake' });
	expect(created.status_update_time).toMatch(/^\d{10}$/);
	expect((await walk(() => query(created.id), created.status)).last.status_update_time).toMatch(/^\d{10}$/);
	// Its progress moves when it leaves the queue, after 1 s of its 10: it is still running then, however slow the machine.
	const videos = await postVideos('lake [duration:10]');
	expect(videos).toMatchObject({ progress: '0', seconds: '5', created_at: expect.stringMatching(/^\d{10}$/) });
	let running = await getVideo(videos.id);
	for (let polls = 1; running.progress === '0' && polls < MAX_POLLS; polls++) {
		await pause();
		running = await getVideo(videos.id);
	}
	expect(running).toMatchObject({ status: 'in_progress', progress: expect.stringMatching(/^[1-9]\d?$/) });
});

describe('family', () => {
	beforeEach(() => sandbox.configure({ variant: 'family' }));

	test('the status walk with images and without upsampling, ms times, the id without its prefix, a leftover error_message', async () => {
		const created = await create({ model: 'veo2-fast-frames', prompt: 'bird [duration:0.8]', images: [ref, ref] });
		expect(created.id).toMatch(/^veo2-fast-frames:\d{10}-[A-Za-z0-9]{10}$/);
		expect(created.status_update_time).toBeGreaterThan(1e12);
		const { seen, last } = await walk(() => query(created.id), created.status);
		expect(seen).toEqual(['pending', 'image_downloading', 'video_generating', 'video_generation_completed', 'completed']);
		expect(last.id).toBe(created.id.split(':')[1]);
		expect(last.status_update_time).toBeGreaterThan(1e12);
		expect(last.detail).toEqual({ error_message: 'retry 1 failed' });
		expect(await query(last.id)).toMatchObject({ id: last.id, status: 'completed' });
		expect(await sha256(last.video_url)).toBe(await sandbox.videoSha256(created.id));
		expect(sandbox.requests().filter((entry) => entry.path === '/v1/video/query').every((entry) => entry.taskId === created.id)).toBe(true);
	});

	test('with enable_upsample: upsampling stages, and detail.upsample_video_url is another file', async () => {
		const created = await create({ model: 'veo3.1-fast', prompt: 'lake [duration:0.8]', enable_upsample: true });
		const { seen, last } = await walk(() => query(created.id), created.status);
		expect(seen).toEqual(['pending', 'video_generating', 'video_generation_completed', 'video_upsampling', 'video_upsampling_completed', 'completed']);
		const upsampled = last.detail.upsample_video_url;
		expect(upsampled).toBe(`${sandbox.filesUrl}/files/${encodeURIComponent(created.id)}-upsampled.mp4`);
		expect(await sha256(upsampled)).toBe(await sandbox.videoSha256(created.id, 'upsampled'));
		expect(await sandbox.videoSha256(created.id, 'upsampled')).not.toBe(await sandbox.videoSha256(created.id));
		expect(last.detail.error_message).toEqual(expect.any(String));
	});

	test('failures: video_generation_failed or video_upsampling_failed, the reason in detail.video_generation_error', async () => {
		const plain = (await create({ model: 'veo3', prompt: 'x [fail] [duration:0.2]' })).id;
		const upsample = (await create({ model: 'veo3', prompt: 'x [fail] [duration:0.2]', enable_upsample: true })).id;
		const failed = await walk(() => query(plain));
		expect(failed.seen.at(-1)).toBe('video_generation_failed');
		expect(failed.last).toMatchObject({ video_url: null, detail: { video_generation_error: expect.stringContaining('rejected') } });
		expect((await walk(() => query(upsample))).last.status).toBe('video_upsampling_failed');
		const never = (await create({ model: 'veo3', prompt: 'x [never]' })).id;
		expect((await query(never)).status).toBe('video_generating');
	});

	test('the Sora stream is markdown in token pieces, with a preview page and the video link; the query takes its id', async () => {
		const sora = await create({ model: 'sora-2', prompt: 'forest', images: [ref] });
		expect(sora.id).toMatch(/^sora-2:task_[0-9a-z]{26}$/);
		const { pieces, content } = await chatStream();
		expect(pieces.every((piece) => Array.from(piece).length <= 6)).toBe(true);
		const match = /^> ID: `(task_[0-9a-z]{26})`\n> 🏃 进度 0(\.\.\d+)*\.\.100\n\[预览\]\((\S+)\)\n> 生成完成 ✅\n\[在线播放▶️\]\((\S+\.mp4)\)\n$/u.exec(content);
		expect(match).not.toBeNull();
		const [, id, , preview, video] = match!;
		expect(preview).not.toMatch(/\.mp4$/);
		const page = await fetch(preview);
		expect(page.headers.get('content-type')).toContain('text/html');
		expect((await fetch(video)).headers.get('content-type')).toBe('video/mp4');
		expect(await query(id)).toMatchObject({ id, status: 'completed' });
		expect(await query(`sora-2:${id}`)).toMatchObject({ id, status: 'completed' });
		expect((await chatStream('x [fail] [duration:0.1]')).content).toMatch(/\n> ❌ 生成失败：the content was rejected[^\n]*\n$/);
	});

	test('/v1/videos keeps the document statuses, with times in ms', async () => {
		const videos = await postVideos('lake');
		expect(videos.created_at).toBeGreaterThan(1e12);
		const { seen, last } = await walk(() => getVideo(videos.id), videos.status);
		expect(seen).toEqual(['queued', 'in_progress', 'completed']);
		expect(last.status_update_time).toBeGreaterThan(1e12);
	});
});

test.each(['tokens', 'failure-words', 'opaque-ids', 'upper-case', 'sparse', 'strings', 'family', 'family,upper-case,sparse,strings,failure-words'])(
	'%s: the [fail], [never] and [duration:N] directives still steer tasks',
	async (variant) => {
		sandbox.configure({ variant });
		const isFailed = (status: string) => /^(failed|error|cancelled|expired|rejected|failure|\w+_failed)$/i.test(status);
		const failing = (await create({ model: 'veo3', prompt: 'x [fail] [duration:0.1]' })).id;
		const never = (await create({ model: 'veo3', prompt: 'x [never]' })).id;
		const timed = (await create({ model: 'veo3', prompt: 'x [duration:0.2]' })).id;
		const scheduled = sandbox.tasks().find((task) => task.id === timed)!;
		expect(scheduled.durationMs).toBe(200);
		await untilTaskDone(sandbox, timed);
		expect(isFailed((await query(failing)).status)).toBe(true);
		expect((await query(timed)).status).toMatch(/^completed$/i);
		expect((await query(never)).status).not.toMatch(/^completed$|failed|error/i);
	},
);
