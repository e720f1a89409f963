import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import type { INodeParameters } from 'n8n-workflow';

import { binaryBytes } from './harness/binary';
import { runWorkflow } from './harness/runWorkflow';
import type { Sandbox } from './harness/sandbox';
import { startSandbox, untilTaskDone } from './harness/sandbox';

const FIXTURES = join(__dirname, '..', 'fixtures');
const PNG = readFileSync(join(FIXTURES, 'lake.png'));
const JPEG = readFileSync(join(FIXTURES, 'portrait.jpg'));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let sandbox: Sandbox;
beforeAll(async () => (sandbox = await startSandbox({ durationMs: 300 })));
afterAll(async () => await sandbox.close());
beforeEach(() => sandbox.reset());

type Binary = Record<string, { base64: string; fileName?: string; mimeType?: string }>;
const png = (fileName = 'lake.png', mimeType = 'image/png'): Binary => ({ data: { base64: PNG.toString('base64'), fileName, mimeType } });

async function fromImage(parameters: INodeParameters, binary: Binary | null = png(), continueOnFail = false) {
	return await runWorkflow({
		nodes: [
			{ name: 'Upload', type: 'test.testItems', parameters: { items: JSON.stringify([{ json: { row: 1 }, binary }]) } },
			{ name: 'From Image', type: 'apertisVideoFromImage', parameters: { prompt: 'The lake comes alive', seconds: 5, size: '16x9', ...parameters }, continueOnFail },
		],
		credentials: { baseUrl: sandbox.url, apiKey: sandbox.apiKey },
	});
}

const uploads = () => sandbox.requests().filter((r) => r.path === '/v1/videos');

describe('Video From Image through n8n-core against the sandbox', () => {
	test.each([
		['veo_3_1', '16x9', PNG, 'lake.png', 'image/png'],
		['veo_3_1', '720x1280', JPEG, 'portrait.jpg', 'image/jpeg'],
		['veo_3_1-fast', '16x9', JPEG, 'portrait.jpg', 'image/jpeg'],
		['veo_3_1-fast', '720x1280', PNG, 'lake.png', 'image/png'],
	])('%s %s: the sandbox receives the exact image bytes, its name and type, and every field', async (model, size, bytes, fileName, mimeType) => {
		const result = await fromImage(
			{ model, size, seconds: 8, watermark: true },
			{ data: { base64: bytes.toString('base64'), fileName, mimeType } },
		);
		expect(result.error('From Image')).toBeUndefined();
		expect(uploads().map((r) => r.body)).toEqual([
			{
				fields: { model, prompt: 'The lake comes alive', seconds: '8', size, watermark: 'true' },
				files: [{ field: 'input_reference', filename: fileName, contentType: mimeType, size: bytes.length, sha256: sha256(bytes) }],
			},
		]);
		const [item] = result.output('From Image');
		expect(item.json).toMatchObject({ id: expect.stringMatching(/^video_/), object: 'video', model, status: 'queued', progress: 0, seconds: 8, size });
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	test('the image is sent from another binary property; no watermark field by default (the document states no default)', async () => {
		const result = await fromImage({ model: 'veo_3_1', binaryPropertyName: 'photo' }, { photo: png().data });
		expect(result.error('From Image')).toBeUndefined();
		const body = uploads()[0].body as { fields: Record<string, string> };
		expect(body).toMatchObject({ files: [{ sha256: sha256(PNG) }] });
		expect(body.fields).not.toHaveProperty('watermark');
	});

	test('Watermark On and Off are sent as the strings the document shows', async () => {
		await fromImage({ model: 'veo_3_1', watermark: 'true' }, png());
		await fromImage({ model: 'veo_3_1', watermark: 'false' }, png());
		expect(uploads().map((u) => (u.body as { fields: Record<string, string> }).fields.watermark)).toEqual(['true', 'false']);
	});

	test.each<[string, INodeParameters, Binary | null, RegExp]>([
		['no binary property of that name', { model: 'veo_3_1', binaryPropertyName: 'image' }, png(), /Item 0 has no binary property "image"/],
		['no binary data at all', { model: 'veo_3_1' }, null, /Item 0 has no binary property "data"/],
		['a file that is not an image', { model: 'veo_3_1' }, { data: { base64: Buffer.from('%PDF-1.7 not an image').toString('base64'), fileName: 'a.png', mimeType: 'image/png' } }, /is not a JPEG, PNG, WebP or GIF image/],
		['seconds 0', { model: 'veo_3_1', seconds: 0 }, png(), /Seconds "0" is not a positive whole number/],
		['seconds 2.5', { model: 'veo_3_1', seconds: 2.5 }, png(), /Seconds "2.5" is not a positive whole number/],
		['an empty prompt', { model: 'veo_3_1', prompt: '  ' }, png(), /Prompt is empty/],
		['an unknown model', { model: 'veo9' }, png(), /Model "veo9" is not a Video From Image model/],
		['a text-to-video model', { model: 'veo3' }, png(), /Model "veo3" is not a Video From Image model/],
		['an unknown size', { model: 'veo_3_1', size: '1x1' }, png(), /Size "1x1"/],
	])('%s: a clear error naming the item, and 0 requests', async (_case, parameters, binary, message) => {
		const result = await fromImage(parameters, binary);
		const error = result.error('From Image');
		expect(error?.message).toMatch(message);
		expect(error?.message).toMatch(/\[item 0\]|Item 0/);
		expect(sandbox.requests()).toHaveLength(0);
	});

	test('the missing-property error lists the properties the item has', async () => {
		const result = await fromImage({ model: 'veo_3_1', binaryPropertyName: 'image' }, { photo: png().data, logo: png().data });
		expect(result.error('From Image')?.description).toContain('photo, logo');
	});

	test('Continue On Fail: the bad item gets json.error and no request is made for it', async () => {
		const result = await fromImage({ model: 'veo_3_1', seconds: -1 }, png(), true);
		expect(result.output('From Image')[0].json).toMatchObject({ error: expect.stringContaining('Seconds "-1"') });
		expect(sandbox.requests()).toHaveLength(0);
	});

	test('Wait for Completion with Download Video: the image comes from binaryPropertyName, the video goes to binaryPropertyOutput', async () => {
		const result = await fromImage(
			{ model: 'veo_3_1', prompt: 'Waves [duration:0.2]', binaryPropertyName: 'photo', waitForCompletion: true, timeout: 1, downloadVideo: true, binaryPropertyOutput: 'video' },
			{ photo: png().data },
		);
		expect(result.error('From Image')).toBeUndefined();
		expect(uploads()[0].body).toMatchObject({ files: [{ sha256: sha256(PNG) }] });
		const [item] = result.output('From Image');
		expect(item.json).toMatchObject({ status: 'completed' });
		expect(Object.keys(item.binary ?? {})).toEqual(['video']);
		expect(item.binary?.video).toMatchObject({ mimeType: 'video/mp4', fileName: expect.stringMatching(/^video_.*\.mp4$/) });
		expect(sha256(await binaryBytes(item, 'video'))).toBe(await sandbox.videoSha256(String(item.json.id)));
	});

	test('From Image → Query downloads the finished video from /v1/videos/{id}/content', async () => {
		const created = await fromImage({ model: 'veo_3_1-fast', prompt: 'Waves [duration:0.2]' });
		const id = created.output('From Image')[0].json.id as string;
		await untilTaskDone(sandbox, id);
		const result = await runWorkflow({
			nodes: [
				{ name: 'Task', type: 'test.testItems', parameters: { items: JSON.stringify([{ json: { id } }]) } },
				{ name: 'Query', type: 'apertisVideoQuery', parameters: { downloadVideo: true } },
			],
			credentials: { baseUrl: sandbox.url, apiKey: sandbox.apiKey },
		});
		expect(result.error('Query')).toBeUndefined();
		const [item] = result.output('Query');
		expect(item.json).toMatchObject({ id, status: 'completed', progress: 100 });
		expect(sha256(await binaryBytes(item, 'data'))).toBe(await sandbox.videoSha256(id));
		expect(sandbox.requests().map((r) => `${r.method} ${r.path}`)).toEqual(
			expect.arrayContaining([`GET /v1/videos/${id}`, expect.stringMatching(new RegExp(`^GET (/v1/videos/${id}/content|/files/)`))]),
		);
	});
});
