import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { Sandbox } from './harness/sandbox';
import { startSandbox, untilTaskDone } from './harness/sandbox';
import { binaryBytes } from './harness/binary';
import { createHash } from 'crypto';
import { runWorkflow } from './harness/runWorkflow';

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ durationMs: 400 });
});
afterAll(async () => await sandbox.close());
beforeEach(() => sandbox.reset());

function creates() {
	return sandbox.requests().filter((r) => r.path === '/v1/video/create');
}

async function create(parameters: INodeParameters, items: IDataObject[] = [{}], continueOnFail = false) {
	return await runWorkflow({
		nodes: [
			{ name: 'Rows', type: 'test.testItems', parameters: { items: JSON.stringify(items.map((json) => ({ json }))) } },
			{ name: 'Create', type: 'apertisVideoCreate', parameters, continueOnFail },
		],
		credentials: { baseUrl: sandbox.url, apiKey: sandbox.apiKey },
	});
}

const ref = 'https://images.example.com/ref.jpg';

/** What the sandbox must receive for each model, given the same full set of editor values. */
const EVERY_MODEL: Array<[string, INodeParameters, IDataObject]> = [
	['veo2', {}, { enhance_prompt: true, enable_upsample: true }],
	['veo2-fast', {}, { enhance_prompt: true, enable_upsample: true }],
	['veo2-pro', {}, { enhance_prompt: true, enable_upsample: true }],
	['veo2-fast-frames', { imageUrls: [ref, ref] }, { enhance_prompt: true, enable_upsample: true, images: [ref, ref] }],
	['veo2-fast-components', { imageUrls: [ref, ref, ref] }, { enhance_prompt: true, enable_upsample: true, images: [ref, ref, ref] }],
	['veo3', {}, { enhance_prompt: true, enable_upsample: true, aspect_ratio: '9:16' }],
	['veo3-fast', {}, { enhance_prompt: true, enable_upsample: true, aspect_ratio: '9:16' }],
	['veo3-pro', {}, { enhance_prompt: true, enable_upsample: true, aspect_ratio: '9:16' }],
	['veo3-pro-frames', { imageUrls: [ref] }, { enhance_prompt: true, enable_upsample: true, aspect_ratio: '9:16', images: [ref] }],
	['veo3.1', {}, { enhance_prompt: true, enable_upsample: true, aspect_ratio: '9:16' }],
	['veo3.1-fast', {}, { enhance_prompt: true, enable_upsample: true, aspect_ratio: '9:16' }],
	[
		'sora-2',
		{ imageUrls: [ref], duration: 10 },
		{ images: [ref], orientation: 'portrait', size: 'large', duration: 10, watermark: false, private: true, character_url: 'https://c.example.com/c.mp4', character_timestamps: '0,3' },
	],
	[
		'sora-2-pro',
		{ imageUrls: [ref], duration: 25 },
		{ images: [ref], orientation: 'portrait', size: 'large', duration: 25, watermark: false, private: true, character_url: 'https://c.example.com/c.mp4', character_timestamps: '0,3' },
	],
];

describe('Video Create through n8n-core against the sandbox', () => {
	test.each(EVERY_MODEL)('%s: the sandbox receives exactly the parameters the model takes', async (model, extra, expected) => {
		const result = await create({
			model,
			prompt: 'A serene lake at sunset',
			enhancePrompt: true,
			enableUpsample: true,
			aspectRatio: '9:16',
			orientation: 'portrait',
			size: 'large',
			watermark: false,
			private: true,
			characterUrl: 'https://c.example.com/c.mp4',
			characterTimestamps: '0,3',
			...extra,
		});
		expect(result.error('Create')).toBeUndefined();
		expect(creates().map((r) => r.body)).toEqual([{ model, prompt: 'A serene lake at sunset', ...expected }]);
		const [item] = result.output('Create');
		expect(item.json).toMatchObject({ status: 'pending' });
		expect(String(item.json.id)).toMatch(new RegExp(`^${model.replace('.', '\\.')}:\\d{10}-[a-z]{8}$`));
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	test('a model from an expression (a spreadsheet column) is validated and mapped per row', async () => {
		const result = await create(
			{
				model: '={{ $json.model }}',
				prompt: '={{ $json.prompt }}',
				aspectRatio: '9:16',
				imageUrls: ['={{ $json.image }}'],
				duration: '={{ $json.duration }}',
			},
			[
				{ model: 'veo2', prompt: 'row one', image: ref, duration: 10 },
				{ model: 'veo3', prompt: 'row two', image: ref, duration: 10 },
				{ model: 'sora-2-pro', prompt: 'row three', image: ref, duration: 15 },
			],
		);
		expect(result.error('Create')).toBeUndefined();
		// Sent side by side: the sandbox may log them in any order. Orientation and size are left to the API's default.
		const bodies = creates().map((r) => r.body as { prompt: string });
		expect(bodies.sort((a, b) => a.prompt.localeCompare(b.prompt))).toEqual([
			{ model: 'veo2', prompt: 'row one', enhance_prompt: false, enable_upsample: false },
			{ model: 'sora-2-pro', prompt: 'row three', images: [ref], duration: 15, watermark: true, private: false },
			{ model: 'veo3', prompt: 'row two', enhance_prompt: false, enable_upsample: false, aspect_ratio: '9:16' },
		]);
		expect(result.output('Create').map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test.each([
		[{ model: 'veo3', prompt: '   ' }, 'Prompt is empty [item 0]', 'prompt'],
		[{ model: 'veo9', prompt: 'p' }, 'Model "veo9" is not a Video Create model [item 0]', 'model'],
		[{ model: 'veo3-pro-frames', prompt: 'p', imageUrls: [ref, ref] }, 'Model veo3-pro-frames takes at most 1 reference image, got 2 [item 0]', 'imageUrls'],
		[{ model: 'veo2-fast-frames', prompt: 'p', imageUrls: ['file:///etc/passwd'] }, 'Reference image URL "file:///etc/passwd" is not an http(s) URL [item 0]', 'imageUrls'],
		[{ model: 'sora-2', prompt: 'p', imageUrls: [ref], duration: '={{ 25 }}' }, 'Duration "25" is not supported by model sora-2 [item 0]', 'duration'],
		[{ model: 'sora-2', prompt: 'p', imageUrls: [ref], characterUrl: 'https://c.example.com/c.mp4', characterTimestamps: '3-0' }, 'Character timestamps "3-0" are not "{start},{end}" with start before end [item 0]', 'characterTimestamps'],
	])('bad input %j fails before any request', async (parameters, message, parameter) => {
		const result = await create(parameters);
		const error = result.error('Create');
		expect(error?.message).toBe(message);
		expect(error?.description).toContain(`(${parameter}) of item 0`);
		expect(sandbox.requests()).toHaveLength(0);
	});

	test('Continue On Fail: the bad row gets json.error, the good rows are created, each paired', async () => {
		const result = await create({ model: 'veo3', prompt: '={{ $json.prompt }}' }, [{ prompt: 'one' }, { prompt: '' }, { prompt: 'three' }], true);
		const items = result.output('Create');
		expect(items).toHaveLength(3);
		expect(items[0].json.id).toBeDefined();
		expect(items[1].json).toEqual({ error: 'Prompt is empty [item 1]', errorDescription: expect.stringContaining('No request was sent') });
		expect(items[2].json.id).toBeDefined();
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(creates()).toHaveLength(2);
	});
});

describe('Video Query through n8n-core against the sandbox', () => {
	test('Create → Query reads the task and downloads the finished video as binary', async () => {
		const created = await create({ model: 'veo3', prompt: 'A lake [duration:0.2]' });
		const id = created.output('Create')[0].json.id as string;
		await untilTaskDone(sandbox, id);
		const result = await runWorkflow({
			nodes: [
				{ name: 'Task', type: 'test.testItems', parameters: { items: JSON.stringify([{ json: { id } }]) } },
				{ name: 'Query', type: 'apertisVideoQuery', parameters: { downloadVideo: true, binaryPropertyName: 'video' } },
			],
			credentials: { baseUrl: sandbox.url, apiKey: sandbox.apiKey },
		});
		expect(result.error('Query')).toBeUndefined();
		const [item] = result.output('Query');
		expect(item.json).toMatchObject({ id, status: 'completed', video_url: expect.stringContaining(`${sandbox.filesUrl}/files/`) });
		expect(item.binary?.video).toMatchObject({ mimeType: 'video/mp4', fileName: `${id.replace(':', '_')}.mp4` });
		const bytes = await binaryBytes(item, 'video');
		expect(createHash('sha256').update(bytes).digest('hex')).toBe(await sandbox.videoSha256(id));
		expect(sandbox.requests().filter((r) => r.path === '/v1/video/query')).toHaveLength(1);
		// The storage host is another origin: the API key must not travel there.
		expect(sandbox.requests().filter((r) => r.server === 'files')).toEqual([expect.objectContaining({ status: 200, sentAuthorization: false })]);
	});

	test('an unknown task id fails with a 404 that names it', async () => {
		const result = await runWorkflow({
			nodes: [
				{ name: 'Task', type: 'test.testItems', parameters: { items: JSON.stringify([{ json: { id: 'veo3:0000000000-zzzzzzzz' } }]) } },
				{ name: 'Query', type: 'apertisVideoQuery', parameters: {} },
			],
			credentials: { baseUrl: sandbox.url, apiKey: sandbox.apiKey },
		});
		expect(result.error('Query')?.message).toBe('Task veo3:0000000000-zzzzzzzz was not found');
	});
});
