/**
 * Issue 18 ("every promise holds at the edges") in real n8n: every workflow of this file runs in ONE
 * `n8n execute-batch` (one n8n start), each against the sandbox it needs (a quota, a latency, an API variant), with
 * one credential per sandbox. A quota that runs out mid-batch loses no created task; a bad item costs nothing; the
 * spend guard and Existing Task ID hold; a hand-off pass that starts after the deadline looks before it times out;
 * and every variant of the API the document allows reaches the right outputs with whole URLs and ids.
 */
import { createHash } from 'crypto';
import { copyFileSync, readFileSync } from 'fs';
import { join } from 'path';

import type { N8nEnv } from './lib';
import type { Sandbox } from '../inprocess/harness/sandbox';
import { chain, n8nWithSandboxes, node } from './support';

jest.setTimeout(15 * 60_000);

const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures');
const VARIANTS = ['tokens', 'failure-words', 'opaque-ids', 'upper-case', 'sparse', 'strings', 'family'] as const;
const QUOTA = { quota: 3, durationMs: 800, latencyMs: 50 };
const SANDBOXES: Record<string, Record<string, unknown>> = {
	quotaCreate0001: QUOTA,
	quotaCof0000001: QUOTA,
	quotaWait000001: QUOTA,
	quotaImage00001: QUOTA,
	// 300 ms a request: creates sent side by side overlap in the sandbox's log.
	quotaConcurr001: { ...QUOTA, latencyMs: 300 },
	plainSandbox001: { durationMs: 800 },
	latency300ms001: { durationMs: 800, latencyMs: 300 },
	...Object.fromEntries(VARIANTS.map((variant) => [variantCredential(variant), { variant, durationMs: 1000, sse: { progressIntervalMs: 100 } }])),
};

/** A workflow and credential id: n8n execute-batch takes only ids that contain a digit. */
function variantCredential(variant: string): string {
	return `variant${variant.replace(/[^a-z0-9]/gi, '')}`.slice(0, 13).padEnd(13, '0') + '01';
}

const cred = (id: string) => ({ credentialId: id });

/** Prompts as items, made by n8n's own Set + Split Out nodes. */
function rows(index: number, prompts: Array<Record<string, unknown>>, prefix = '') {
	return [
		node(`${prefix}Prompts`, 'n8n-nodes-base.set', index, { mode: 'raw', jsonOutput: JSON.stringify({ rows: prompts }), options: {} }, { typeVersion: 3.4 }),
		node(`${prefix}Rows`, 'n8n-nodes-base.splitOut', index + 1, { fieldToSplitOut: 'rows', options: {} }),
	];
}

const prompts = (tag: string, n: number) => Array.from({ length: n }, (_, row) => ({ prompt: `${tag} row ${row} [duration:0.5]` }));

function linear(id: string, nodes: ReturnType<typeof node>[]) {
	return { id, name: id, nodes, connections: chain(nodes.map((n) => n.name)) };
}

function createWorkflow(id: string, sandbox: string, parameters: Record<string, unknown>, options: { continueOnFail?: boolean; rows?: number } = {}) {
	const create = node('Video Create', 'apertisVideoCreate', 3, { model: 'veo3-fast', prompt: '={{ $json.prompt }}', ...parameters }, cred(sandbox));
	const nodes = [node('Start', 'n8n-nodes-base.manualTrigger', 0, {}), ...rows(1, prompts(id, options.rows ?? 6)), { ...create, ...(options.continueOnFail ? { onError: 'continueRegularOutput' } : {}) }];
	return linear(id, nodes);
}

function quotaImageWorkflow(filesDir: string) {
	return linear('quotaImage00001', [
		node('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
		node('Read Images', 'n8n-nodes-base.readWriteFile', 1, { operation: 'read', fileSelector: `${filesDir}/quota-*.png`, options: {} }),
		node('From Image', 'apertisVideoFromImage', 2, { model: 'veo_3_1-fast', prompt: 'quotaImage [duration:0.5]', seconds: 4, batchOptions: { concurrency: 1 } }, cred('quotaImage00001')),
	]);
}

/** Items that carry a task id and a waiting_since `minutesAgo` in the past, as a Still Running item would. */
function latePassWorkflow(id: string, ids: string[], minutesAgo: number, waitParameters: Record<string, unknown>) {
	const items = ids.map((taskId) => ({ id: taskId }));
	return linear(id, [
		node('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
		...rows(1, items),
		node('Waiting Since', 'n8n-nodes-base.set', 3, { mode: 'manual', assignments: { assignments: [{ id: 'w', name: 'waiting_since', type: 'string', value: `={{ new Date(Date.now() - ${minutesAgo} * 60000).toISOString() }}` }] }, includeOtherFields: true, options: {} }, { typeVersion: 3.4 }),
		node('Wait Until Done', 'apertisWaitUntilDone', 4, { timeout: 30, ...waitParameters }, cred('plainSandbox001')),
	]);
}

/** Create → Wait Until Done, From Image → Wait Until Done and Sora Chat Stream, all from one trigger. */
function variantWorkflow(variant: string, filesDir: string) {
	const id = variantCredential(variant);
	const c = cred(id);
	const nodes = [
		node('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
		...rows(1, [{ prompt: `${variant} ok [duration:1]` }, { prompt: `${variant} bad [duration:0.5] [fail]` }]),
		node('Video Create', 'apertisVideoCreate', 3, { model: 'veo3-fast', prompt: '={{ $json.prompt }}', enableUpsample: true }, c),
		node('Wait Create', 'apertisWaitUntilDone', 4, { timeout: 2, downloadVideo: true }, c),
		node('Save Video', 'n8n-nodes-base.readWriteFile', 9, { operation: 'write', fileName: `=${filesDir}/${id}-{{ $binary.data.fileName }}`, options: {} }),
		node('Read Image', 'n8n-nodes-base.readWriteFile', 5, { operation: 'read', fileSelector: `${filesDir}/lake.png`, options: {} }),
		node('From Image', 'apertisVideoFromImage', 6, { model: 'veo_3_1', prompt: `${variant} image [duration:1]`, seconds: 4 }, c),
		node('Wait Image', 'apertisWaitUntilDone', 7, { timeout: 2, downloadVideo: true }, c),
		node('Sora', 'apertisSoraChatStream', 8, { model: 'sora-2', prompt: `${variant} sora [duration:1]`, downloadVideo: true }, c),
	];
	const to = (name: string) => ({ node: name, type: 'main', index: 0 });
	const connections = {
		Start: { main: [[to('Prompts'), to('Read Image'), to('Sora')]] },
		...chain(['Prompts', 'Rows', 'Video Create', 'Wait Create', 'Save Video']),
		...chain(['Read Image', 'From Image', 'Wait Image']),
	};
	return { id, name: `variant ${variant}`, nodes, connections };
}

type Batch = Awaited<ReturnType<N8nEnv['executeBatch']>>;

describe('Every promise holds at the edges (one n8n execute-batch)', () => {
	let sandboxes: Record<string, Sandbox>;
	let cleanup: (() => Promise<void>) | undefined;
	let batch: Batch;
	const preCreated: Record<string, string> = {};

	const errorOf = (id: string): string => {
		// n8n's execute-batch files an error whose text holds words like "429" under warnings.
		const { errors = [], warnings = [] } = (batch.summary?.summary ?? {}) as Record<string, Array<{ workflowId: string; error: string }>>;
		const failures = [...errors, ...warnings];
		return failures.find((f) => f.workflowId === id)?.error ?? '';
	};
	const runData = (id: string) => batch.snapshots[id]?.data?.resultData?.runData ?? {};
	const out = (id: string, nodeName: string, output = 0) => runData(id)[nodeName]?.[0]?.data?.main?.[output] ?? [];
	const creates = (sandbox: Sandbox, path = '/v1/video/create') => sandbox.requests().filter((r) => r.method === 'POST' && r.path === path);
	const acceptedIds = (sandbox: Sandbox) => sandbox.tasks().map((task) => String(task.id));

	/** Tasks the hand-off workflows wait for, created before the batch (as an earlier pass would have). */
	async function createTask(sandbox: Sandbox, prompt: string): Promise<string> {
		const response = await fetch(`${sandbox.url}/v1/video/create`, {
			method: 'POST',
			headers: { authorization: `Bearer ${sandbox.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'veo3-fast', prompt }),
		});
		return String(((await response.json()) as { id: string }).id);
	}

	beforeAll(async () => {
		const ready = await n8nWithSandboxes(SANDBOXES);
		({ sandboxes, cleanup } = ready);
		const { env, filesDir } = ready;
		copyFileSync(join(FIXTURES, 'lake.png'), join(filesDir, 'lake.png'));
		for (let i = 0; i < 6; i++) copyFileSync(join(FIXTURES, 'lake.png'), join(filesDir, `quota-${i}.png`));
		const plain = sandboxes.plainSandbox001;
		preCreated.done = await createTask(plain, 'late pass: finished [duration:0.2]');
		preCreated.never = await createTask(plain, 'late pass: never finishes [never]');
		preCreated.neverToo = await createTask(plain, 'deadline: never finishes [never]');
		preCreated.existingA = await createTask(plain, 'existing A [duration:0.5]');
		preCreated.existingB = await createTask(plain, 'existing B [duration:0.5]');
		const existingRows = [{ prompt: 'existing A', task_id: preCreated.existingA }, { prompt: 'existing new 1 [duration:0.5]' }, { prompt: 'existing B', task_id: preCreated.existingB }, { prompt: 'existing new 2 [duration:0.5]' }];
		const workflows = [
			createWorkflow('quotaCreate0001', 'quotaCreate0001', { batchOptions: { concurrency: 1 } }),
			createWorkflow('quotaCof0000001', 'quotaCof0000001', { batchOptions: { concurrency: 1 } }, { continueOnFail: true }),
			createWorkflow('quotaWait000001', 'quotaWait000001', { waitForCompletion: true, timeout: 1, batchOptions: { concurrency: 1 } }),
			createWorkflow('quotaConcurr001', 'quotaConcurr001', {}),
			createWorkflow('concurrOrder001', 'latency300ms001', { batchOptions: { concurrency: 3 } }, { rows: 8 }),
			quotaImageWorkflow(filesDir),
			linear('badItemBatch001', [node('Start', 'n8n-nodes-base.manualTrigger', 0, {}), ...rows(1, prompts('badItemBatch', 10).map((row, i) => (i === 6 ? { prompt: ' ' } : row))), node('Video Create', 'apertisVideoCreate', 3, { model: 'veo3-fast', prompt: '={{ $json.prompt }}' }, cred('plainSandbox001'))]),
			createWorkflow('spendGuard00001', 'plainSandbox001', { batchOptions: { maxTasksPerExecution: 100 } }, { rows: 101 }),
			linear('existingTaskId1', [
				node('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
				...rows(1, existingRows),
				node('Video Create', 'apertisVideoCreate', 3, { model: 'veo3-fast', prompt: '={{ $json.prompt }}', existingTaskId: '={{ $json.task_id }}' }, cred('plainSandbox001')),
				node('Wait Until Done', 'apertisWaitUntilDone', 4, { timeout: 1 }, cred('plainSandbox001')),
			]),
			latePassWorkflow('latePass0000001', [preCreated.done, preCreated.never], 31, { handOffAfter: 2 }),
			latePassWorkflow('deadlinePass001', [preCreated.neverToo], 29.9, { handOffAfter: 0.05 }),
			...VARIANTS.map((variant) => variantWorkflow(variant, filesDir)),
		];
		await env.importWorkflows(workflows);
		batch = await env.executeBatch(workflows.map((w) => w.id), { timeoutMs: 10 * 60_000 });
	});
	afterAll(async () => await cleanup?.());

	describe('a quota that runs out at the 4th create', () => {
		test('without Continue On Fail: the error lists the 3 created ids; exactly 3 creates accepted, none sent after the 402', () => {
			const sandbox = sandboxes.quotaCreate0001;
			expect(acceptedIds(sandbox)).toHaveLength(3);
			for (const id of acceptedIds(sandbox)) expect(errorOf('quotaCreate0001')).toContain(id);
			expect(errorOf('quotaCreate0001')).toMatch(/Your Apertis quota is exhausted|402/);
			expect(creates(sandbox).map((r) => r.status)).toEqual([200, 200, 200, 402]);
		});

		test('with Continue On Fail: 3 created items, 1 error item, 2 items not sent and saying so, in input order', () => {
			const items = out('quotaCof0000001', 'Video Create');
			expect(items.map((item: any) => item.pairedItem)).toEqual([0, 1, 2, 3, 4, 5].map((item) => ({ item })));
			expect(items.slice(0, 3).map((item: any) => item.json.id)).toEqual(acceptedIds(sandboxes.quotaCof0000001));
			expect(items[3].json.error).toBe('Your Apertis quota is exhausted');
			for (const item of items.slice(4)) expect(item.json.error).toBe('Not sent: the Apertis quota ran out at item 3 (402)');
			expect(creates(sandboxes.quotaCof0000001)).toHaveLength(4);
		});

		test('with Wait for Completion on: the error lists the 3 created ids', () => {
			const sandbox = sandboxes.quotaWait000001;
			expect(acceptedIds(sandbox)).toHaveLength(3);
			for (const id of acceptedIds(sandbox)) expect(errorOf('quotaWait000001')).toContain(id);
			expect(creates(sandbox)).toHaveLength(4);
		});

		test('Video From Image: the error lists the 3 created ids; exactly 3 uploads accepted', () => {
			const sandbox = sandboxes.quotaImage00001;
			expect(acceptedIds(sandbox)).toHaveLength(3);
			for (const id of acceptedIds(sandbox)) expect(errorOf('quotaImage00001')).toContain(id);
			expect(creates(sandbox, '/v1/videos').map((r) => r.status)).toEqual([200, 200, 200, 402]);
		});

		test('side by side: creates overlap (never more than the default 8 at once), and every created id is named', () => {
			const sandbox = sandboxes.quotaConcurr001;
			const starts = creates(sandbox).map((r) => r.at);
			const overlapping = Math.max(...starts.map((at) => starts.filter((other) => other >= at && other < at + 300).length));
			expect(overlapping).toBeGreaterThan(1);
			expect(overlapping).toBeLessThanOrEqual(8);
			expect(acceptedIds(sandbox)).toHaveLength(3);
			for (const id of acceptedIds(sandbox)) expect(errorOf('quotaConcurr001')).toContain(id);
		});
	});

	test('8 rows at concurrency 3 over a 300 ms round trip: creates overlap, never more than 3 at once; output in input order, paired', () => {
		const sent = creates(sandboxes.latency300ms001);
		expect(sent).toHaveLength(8);
		const starts = sent.map((r) => r.at);
		const inFlight = Math.max(...starts.map((at) => starts.filter((other) => other >= at && other < at + 300).length));
		expect(inFlight).toBeGreaterThan(1);
		expect(inFlight).toBeLessThanOrEqual(3);
		const items = out('concurrOrder001', 'Video Create');
		expect(items.map((item: any) => item.pairedItem)).toEqual(Array.from({ length: 8 }, (_, item) => ({ item })));
		expect(items.map((item: any) => item.json.enhanced_prompt)).toEqual(prompts('concurrOrder001', 8).map((row) => row.prompt));
	});

	test('one bad item among 10: the node fails naming it, and 0 paid requests are sent', () => {
		expect(errorOf('badItemBatch001')).toContain('No request was sent for any item of this batch');
		expect(errorOf('badItemBatch001')).toContain('of item 6');
		expect(creates(sandboxes.plainSandbox001).filter((r) => String((r.body as any)?.prompt).startsWith('badItemBatch'))).toHaveLength(0);
	});

	test('101 items against Max Tasks per Execution 100: 0 paid requests, and a message saying how to raise it', () => {
		expect(errorOf('spendGuard00001')).toContain('101 items came in');
		expect(errorOf('spendGuard00001')).toContain('Max Tasks per Execution');
		expect(creates(sandboxes.plainSandbox001).filter((r) => String((r.body as any)?.prompt).startsWith('spendGuard'))).toHaveLength(0);
	});

	test('rows with an Existing Task ID send no create and reach Completed through Wait Until Done', () => {
		const created = out('existingTaskId1', 'Video Create');
		expect(created.map((item: any) => item.json.reused ?? false)).toEqual([true, false, true, false]);
		const completed = out('existingTaskId1', 'Wait Until Done', 0);
		expect(completed.map((item: any) => item.json.id)).toEqual(created.map((item: any) => item.json.id));
		const sent = creates(sandboxes.plainSandbox001).filter((r) => String((r.body as any)?.prompt).startsWith('existing'));
		// The two created before the run, then one create per row without an id (side by side: in any order).
		expect(sent.map((r) => (r.body as any).prompt).sort()).toEqual(['existing A [duration:0.5]', 'existing B [duration:0.5]', 'existing new 1 [duration:0.5]', 'existing new 2 [duration:0.5]']);
	});

	test('a hand-off pass that starts after the deadline looks at each task once: done → Completed, running → Failed as timed out', () => {
		expect(out('latePass0000001', 'Wait Until Done', 0).map((item: any) => [item.json.id, item.json.status])).toEqual([[preCreated.done, 'completed']]);
		const failed = out('latePass0000001', 'Wait Until Done', 1);
		expect(failed.map((item: any) => [item.json.id, item.json.status])).toEqual([[preCreated.never, 'processing']]);
		expect(failed[0].json.error).toContain('did not finish within 30 minutes');
		const checks = (id: string) => sandboxes.plainSandbox001.requests().filter((r) => r.path === '/v1/video/query' && r.query.id === id);
		expect(checks(preCreated.done)).toHaveLength(1);
		expect(checks(preCreated.never)).toHaveLength(1);
	});

	test('next_check_at is never later than the earliest deadline of the tasks handed on', () => {
		const [running] = out('deadlinePass001', 'Wait Until Done', 2);
		expect(running.json).toMatchObject({ id: preCreated.neverToo, status: 'processing' });
		const deadline = Date.parse(running.json.waiting_since) + 30 * 60_000;
		expect(Date.parse(running.json.next_check_at)).toBeLessThanOrEqual(deadline);
	});

	describe.each(VARIANTS)('API variant %s', (variant) => {
		const id = variantCredential(variant);

		test('Create → Wait Until Done: the good row Completed with its video, the [fail] row Failed, with their ids', () => {
			expect(errorOf(id)).toBe('');
			const sandbox = sandboxes[id];
			const createdIds = out(id, 'Video Create').map((item: any) => String(item.json.id));
			expect(createdIds).toHaveLength(2);
			const [completed] = out(id, 'Wait Create', 0);
			expect(completed.json.id).toBe(createdIds[0]);
			expect(completed.binary.data).toMatchObject({ mimeType: 'video/mp4' });
			const failed = out(id, 'Wait Create', 1);
			expect(failed.map((item: any) => item.json.id)).toEqual([createdIds[1]]);
			expect(failed[0].json.error).not.toContain('did not finish within');
			expect(creates(sandbox)).toHaveLength(2);
		});

		test('the saved video has the served bytes: with upsampling asked, the upsampled file where the API gives one', async () => {
			const [saved] = out(id, 'Save Video');
			const bytes = readFileSync(String(saved.json.fileName));
			const which = variant === 'family' ? 'upsampled' : 'video';
			const createdId = String(out(id, 'Video Create')[0].json.id);
			expect(createHash('sha256').update(bytes).digest('hex')).toBe(await sandboxes[id].videoSha256(createdId, which));
		});

		test('From Image → Wait Until Done: Completed with its video', () => {
			const [created] = out(id, 'From Image');
			const [completed] = out(id, 'Wait Image', 0);
			expect(completed.json.id).toBe(created.json.id);
			expect(completed.binary.data).toMatchObject({ mimeType: 'video/mp4' });
			expect(creates(sandboxes[id], '/v1/videos')).toHaveLength(1);
		});

		test('Sora Chat Stream: completed with the whole video_url and task id, and the video downloaded', () => {
			const [streamed] = out(id, 'Sora');
			const sandbox = sandboxes[id];
			const chat = creates(sandbox, '/v1/chat/completions');
			expect(chat).toHaveLength(1);
			expect(streamed.json).toMatchObject({ status: 'completed', progress: 100 });
			const task = sandbox.tasks().find((t) => String(streamed.json.task_id).endsWith(String(t.id).split(':').pop() ?? t.id));
			expect(task).toBeDefined();
			expect(streamed.json.video_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/.+\.mp4$/);
			expect(streamed.binary.data).toMatchObject({ mimeType: 'video/mp4' });
		});
	});
});
