/**
 * Issue 3 in real n8n: images read by n8n's own nodes reach the sandbox byte for byte, with their names and types,
 * for both models and both sizes; and a Form Trigger with a file field, posted to by an HTTP client, runs
 * Form → Video From Image → Video Query in a running n8n.
 */
import { createHash } from 'crypto';
import { copyFileSync, readFileSync } from 'fs';
import { join } from 'path';

import type { N8nEnv } from './lib';
import type { Sandbox } from '../inprocess/harness/sandbox';
import type { RunningN8nWithSandbox } from './support';
import { chain, n8nWithSandbox, node, runningN8nWithSandbox } from './support';

jest.setTimeout(10 * 60_000);

const FIXTURES = join(__dirname, '..', 'fixtures');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
// Form Trigger 2.3 serves its form under its webhook id.
const FORM_ID = 'a8f5c1de-2b7e-4c1a-9f0e-5d6c7b8a9e01';
const IMAGES = { 'lake.png': 'image/png', 'portrait.jpg': 'image/jpeg' } as const;

describe('Video From Image in real n8n (n8n execute)', () => {
	let sandbox: Sandbox;
	let env: N8nEnv;
	let cleanup: (() => Promise<void>) | undefined;

	beforeAll(async () => {
		({ sandbox, env, cleanup } = await n8nWithSandbox({}).then(async (ready) => {
			for (const file of Object.keys(IMAGES)) copyFileSync(join(FIXTURES, file), join(ready.filesDir, file));
			const sizeOf = (fast: boolean) => `={{ $binary.data.fileName.endsWith('.png') === ${fast} ? '720x1280' : '16x9' }}`;
			const nodes = [
				node('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
				node('Read Images', 'n8n-nodes-base.readWriteFile', 1, { operation: 'read', fileSelector: `${ready.filesDir}/*.{png,jpg}`, options: {} }),
				node('From Image', 'apertisVideoFromImage', 2, { model: 'veo_3_1', prompt: 'The picture comes alive', seconds: 6, size: sizeOf(false), watermark: 'true' }),
				node('From Image Fast', 'apertisVideoFromImage', 3, { model: 'veo_3_1-fast', prompt: 'The picture comes alive', seconds: 4, size: sizeOf(true) }),
			];
			const connections = {
				...chain(['Start', 'Read Images']),
				'Read Images': { main: [[{ node: 'From Image', type: 'main', index: 0 }, { node: 'From Image Fast', type: 'main', index: 0 }]] },
			};
			await ready.env.importWorkflows([{ id: 'fromImageAll001', name: 'From Image: both models, both sizes', nodes, connections }]);
			return ready;
		}));
	});
	afterAll(async () => await cleanup?.());

	test('the sandbox receives each image byte for byte, with its name, type and every field', async () => {
		const run = await env.execute('fromImageAll001');
		expect(run.error).toBeFalsy();
		const received = sandbox.requests().filter((r) => r.path === '/v1/videos').map((r) => r.body as { fields: Record<string, string>; files: Array<Record<string, unknown>> });
		const expected = Object.entries(IMAGES).flatMap(([file, mimeType]) => {
			const bytes = readFileSync(join(FIXTURES, file));
			const image = { field: 'input_reference', filename: file, contentType: mimeType, size: bytes.length, sha256: sha256(bytes) };
			const png = file.endsWith('.png');
			return [
				{ fields: { model: 'veo_3_1', prompt: 'The picture comes alive', seconds: '6', size: png ? '16x9' : '720x1280', watermark: 'true' }, files: [image] },
				// Watermark left at API Default: no field (the document states no default for /v1/videos).
				{ fields: { model: 'veo_3_1-fast', prompt: 'The picture comes alive', seconds: '4', size: png ? '720x1280' : '16x9' }, files: [image] },
			];
		});
		expect(received).toHaveLength(4);
		expect(received).toEqual(expect.arrayContaining(expected));
		const outputs = ['From Image', 'From Image Fast'].flatMap((name) => run.runData[name][0].data!.main[0]!);
		expect(outputs.map((item) => item.json.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
		expect(new Set(outputs.map((item) => item.json.id)).size).toBe(4);
	});
});

describe('Form Trigger (file upload) → Video From Image → Video Query in a running n8n', () => {
	let running: RunningN8nWithSandbox;

	beforeAll(async () => (running = await runningN8nWithSandbox()));
	afterAll(async () => await running?.cleanup());

	test('posting the form with an image creates a task from exactly that image, then queries it', async () => {
		const { sandbox, n8n, apertis } = running;
		const withCredential = (n: ReturnType<typeof node>) => ({ ...n, credentials: apertis });
		const form = {
			...node('Upload Form', 'n8n-nodes-base.formTrigger', 0, {
				formTitle: 'Turn a picture into a video',
				formFields: {
					values: [
						{ fieldLabel: 'Image', fieldType: 'file', multipleFiles: false, requiredField: true, acceptFileTypes: '.jpg, .png' },
						{ fieldLabel: 'Prompt', requiredField: true },
					],
				},
				responseMode: 'lastNode',
				options: {},
			}, { typeVersion: 2.3 }),
			webhookId: FORM_ID,
		};
		const nodes = [
			form,
			withCredential(node('Video From Image', 'apertisVideoFromImage', 1, { model: 'veo_3_1', prompt: '={{ $json.Prompt }}', binaryPropertyName: 'Image', seconds: 5, size: '16x9' })),
			withCredential(node('Video Query', 'apertisVideoQuery', 2, {})),
		];
		const created = await n8n.createWorkflow({ name: 'Form → From Image → Query', nodes, connections: chain(nodes.map((n) => n.name)), settings: { saveDataSuccessExecution: 'all' } });
		const formUrl = await n8n.activateWorkflow(created.id, `/form/${FORM_ID}`);

		const image = readFileSync(join(FIXTURES, 'lake.png'));
		const body = new FormData();
		body.append('field-0', new Blob([image], { type: 'image/png' }), 'lake.png');
		body.append('field-1', 'The lake ripples in the wind');
		const response = await fetch(formUrl, { method: 'POST', body });
		expect(response.status).toBe(200);

		const upload = sandbox.requests().find((r) => r.path === '/v1/videos');
		expect(upload?.body).toEqual({
			// Watermark at API Default: not sent.
			fields: { model: 'veo_3_1', prompt: 'The lake ripples in the wind', seconds: '5', size: '16x9' },
			files: [{ field: 'input_reference', filename: 'lake.png', contentType: 'image/png', size: image.length, sha256: sha256(image) }],
		});
		expect(sandbox.requests().map((r) => `${r.method} ${r.path}`)).toContain(`GET /v1/videos/${upload!.taskId}`);
		const executions = await n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: created.id }))}`);
		expect(executions.results.map((execution: { status: string }) => execution.status)).toEqual(['success']);
	});
});
