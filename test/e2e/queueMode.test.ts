// n8n 2.41.1 in queue mode: a private Redis and Postgres, main + 2 workers (EXECUTIONS_MODE=queue), each with the
// packed package installed as a community package, all started by this file once (test/e2e/lib/queueStack.js) and
// stopped at its end. Workflows are started through a production webhook, as a scheduled batch or a form would be.
import { createHash } from 'crypto';
import { existsSync } from 'fs';

import { assertReady, node, PACKAGE } from './support';
import type { QueueStack } from './lib/queueStack';
import { queueServicesInstalled, startQueueStack } from './lib/queueStack';
import type { LoggedRequest, Sandbox } from '../inprocess/harness/sandbox';
import { startSandbox } from '../inprocess/harness/sandbox';

jest.setTimeout(10 * 60_000);

const CREDENTIAL = 'qmSandboxCred01';
/** Kept short so that a killed worker's execution is declared failed in ~50 s instead of ~111 s (the defaults). */
const QUEUE_ENV = {
	QUEUE_WORKER_LOCK_DURATION: '15000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
	QUEUE_WORKER_STALLED_INTERVAL: '5000',
	// Each node's output is saved when the node finishes, so Video Create's task ids are in the database before
	// Wait Until Done starts waiting.
	EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'true',
};

const log = (line: string) => process.stderr.write(`[queueMode] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Webhook (POST, body.tasks = [{ prompt }]) → one item per task → Video Create → Wait Until Done. */
function batchWorkflow(id: string, path: string, responseMode: 'lastNode' | 'onReceived', waitParameters: Record<string, unknown>) {
	const credentialId = CREDENTIAL;
	const nodes = [
		{
			...node('Webhook', 'n8n-nodes-base.webhook', 0, { httpMethod: 'POST', path, responseMode, options: {} }, { typeVersion: 2 }),
			webhookId: `${id}-hook`,
		},
		node('One Item per Task', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'body.tasks', options: {} }),
		node('Video Create', `${PACKAGE}.apertisVideoCreate`, 2, { model: 'veo3', prompt: '={{ $json.prompt }}' }, { credentialId }),
		node('Wait Until Done', `${PACKAGE}.apertisWaitUntilDone`, 3, waitParameters, { credentialId }),
	];
	const to = (name: string) => ({ main: [[{ node: name, type: 'main', index: 0 }]] });
	return {
		id,
		name: `Queue mode ${path}`,
		nodes,
		connections: { Webhook: to('One Item per Task'), 'One Item per Task': to('Video Create'), 'Video Create': to('Wait Until Done') },
	};
}

const BATCH = batchWorkflow('qmBatchWf000001', 'qm-batch', 'lastNode', { pollInterval: 5, timeout: 5 });

/** An n8n Data Table (rows live in Postgres, written the moment the node runs) that records every created task. */
const TASK_TABLE = 'apertis_tasks';
const TASK_TABLE_SCHEMA = ['task_id', 'prompt'].map((id) => ({ id, displayName: id, required: false, defaultMatch: false, display: true, type: 'string', canBeUsedToMatch: true }));
const to = (name: string) => ({ main: [[{ node: name, type: 'main', index: 0 }]] });

/** Webhook (answers at once) → one item per task → Video Create → Record Task (Data Table insert) → Wait Until Done. */
const LONG = {
	id: 'qmLongWf0000001',
	name: 'Queue mode qm-long',
	nodes: [
		{ ...node('Webhook', 'n8n-nodes-base.webhook', 0, { httpMethod: 'POST', path: 'qm-long', responseMode: 'onReceived', options: {} }, { typeVersion: 2 }), webhookId: 'qmLongWf0000001-hook' },
		node('One Item per Task', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'body.tasks', options: {} }),
		node('Video Create', `${PACKAGE}.apertisVideoCreate`, 2, { model: 'veo3', prompt: '={{ $json.prompt }}' }, { credentialId: CREDENTIAL }),
		node('Record Task', 'n8n-nodes-base.dataTable', 3, {
			resource: 'row',
			operation: 'insert',
			dataTableId: { __rl: true, mode: 'name', value: TASK_TABLE },
			columns: { mappingMode: 'defineBelow', value: { task_id: '={{ $json.id }}', prompt: '={{ $json.enhanced_prompt }}' }, schema: TASK_TABLE_SCHEMA },
			options: {},
		}, { typeVersion: 1.1 }),
		node('Wait Until Done', `${PACKAGE}.apertisWaitUntilDone`, 4, { taskId: '={{ $json.task_id }}', pollInterval: 5, timeout: 10 }, { credentialId: CREDENTIAL }),
	],
	connections: { Webhook: to('One Item per Task'), 'One Item per Task': to('Video Create'), 'Video Create': to('Record Task'), 'Record Task': to('Wait Until Done') },
};

/** Webhook (answers with the first item's binary) → Video Create → Wait Until Done with Download Video. */
const DOWNLOAD = {
	id: 'qmDownloadWf001',
	name: 'Queue mode qm-download',
	nodes: [
		{ ...node('Webhook', 'n8n-nodes-base.webhook', 0, { httpMethod: 'POST', path: 'qm-download', responseMode: 'lastNode', responseData: 'firstEntryBinary', options: {} }, { typeVersion: 2 }), webhookId: 'qmDownloadWf001-hook' },
		node('Video Create', `${PACKAGE}.apertisVideoCreate`, 1, { model: 'veo3', prompt: '={{ $json.body.prompt }}' }, { credentialId: CREDENTIAL }),
		node('Wait Until Done', `${PACKAGE}.apertisWaitUntilDone`, 2, { pollInterval: 5, timeout: 5, downloadVideo: true, binaryPropertyName: 'data' }, { credentialId: CREDENTIAL }),
	],
	connections: { Webhook: to('Video Create'), 'Video Create': to('Wait Until Done') },
};

/** The pick-up: Webhook (answers with every item) → the recorded tasks → Wait Until Done. No create. */
const RESUME = {
	id: 'qmResumeWf00001',
	name: 'Queue mode qm-resume',
	nodes: [
		{ ...node('Webhook', 'n8n-nodes-base.webhook', 0, { httpMethod: 'POST', path: 'qm-resume', responseMode: 'lastNode', responseData: 'allEntries', options: {} }, { typeVersion: 2 }), webhookId: 'qmResumeWf00001-hook' },
		node('Recorded Tasks', 'n8n-nodes-base.dataTable', 1, { resource: 'row', operation: 'get', dataTableId: { __rl: true, mode: 'name', value: TASK_TABLE }, returnAll: true, filters: {}, options: {} }, { typeVersion: 1.1 }),
		node('Wait Until Done', `${PACKAGE}.apertisWaitUntilDone`, 2, { taskId: '={{ $json.task_id }}', pollInterval: 5, timeout: 10 }, { credentialId: CREDENTIAL }),
	],
	connections: { Webhook: to('Recorded Tasks'), 'Recorded Tasks': to('Wait Until Done') },
};

const creates = (requests: LoggedRequest[]) => requests.filter((r) => r.method === 'POST' && r.path === '/v1/video/create');
const outputItems = (runData: Record<string, any[]>, nodeName: string, output = 0): any[] =>
	runData[nodeName]?.[0]?.data?.main?.[output] ?? [];

describe('n8n queue mode: Redis, Postgres, main + 2 workers', () => {
	let sandbox: Sandbox;
	let stack: QueueStack;
	let webhookBase = '';

	beforeAll(async () => {
		assertReady();
		if (!queueServicesInstalled()) throw new Error('Redis or PostgreSQL is missing. Run: bash scripts/install-queue-services.sh');
		sandbox = await startSandbox({ durationMs: 3000 });
		stack = await startQueueStack({ env: QUEUE_ENV, concurrency: 5, log, startN8n: false });
		await stack.importCredentials([{ id: CREDENTIAL, name: 'Apertis sandbox', type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } }]);
		await stack.importWorkflows([BATCH, DOWNLOAD, LONG, RESUME]);
		await stack.start();
		await stack.publishWorkflow(BATCH.id, { method: 'POST', path: 'webhook/qm-batch' });
		await stack.publishWorkflow(DOWNLOAD.id, { method: 'POST', path: 'webhook/qm-download' });
		await stack.publishWorkflow(LONG.id, { method: 'POST', path: 'webhook/qm-long' });
		await stack.publishWorkflow(RESUME.id, { method: 'POST', path: 'webhook/qm-resume' });
		const project = await stack.rest('GET', '/rest/projects/personal');
		await stack.rest('POST', `/rest/projects/${project.id}/data-tables`, {
			name: TASK_TABLE,
			columns: [{ name: 'task_id', type: 'string' }, { name: 'prompt', type: 'string' }],
		});
		webhookBase = `${stack.baseUrl}/webhook`;
	}, 8 * 60_000);

	afterAll(async () => {
		await stack?.stop();
		await sandbox?.close();
	});

	it('runs 20 webhook executions (Video Create → Wait Until Done) to success, split over both workers', async () => {
		const prompts = Array.from({ length: 20 }, (_, i) => `Queue video ${i + 1} [duration:${2 + (i % 3)}]`);
		const started = Date.now();
		const responses = await Promise.all(
			prompts.map(async (prompt) => {
				const response = await fetch(`${webhookBase}/qm-batch`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ tasks: [{ prompt }] }),
				});
				return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
			}),
		);
		log(`20 webhook calls answered in ${((Date.now() - started) / 1000).toFixed(1)} s`);

		// Each call answers with Wait Until Done's Completed item for its own prompt.
		expect(responses.map((r) => r.status)).toEqual(prompts.map(() => 200));
		expect(responses.map((r) => [r.body?.status, r.body?.enhanced_prompt])).toEqual(prompts.map((p) => ['completed', p]));

		const executions = await stack.executions({ workflowId: BATCH.id });
		expect(executions).toHaveLength(20);
		const seenPrompts: string[] = [];
		for (const summary of executions) {
			const execution = await stack.execution(summary.id);
			expect(execution.status).toBe('success');
			const created = outputItems(execution.runData, 'Video Create');
			const completed = outputItems(execution.runData, 'Wait Until Done', 0);
			expect(outputItems(execution.runData, 'Wait Until Done', 1)).toEqual([]);
			expect(created).toHaveLength(1);
			expect(completed.map((i) => [i.json.id, i.json.status])).toEqual([[created[0].json.id, 'completed']]);
			expect(completed[0].json.video_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//);
			seenPrompts.push(completed[0].json.enhanced_prompt);
		}
		expect(seenPrompts.sort()).toEqual([...prompts].sort());

		// Who ran what: every execution was started by exactly one worker, and both workers took some.
		const byWorker: Record<string, string[]> = {};
		for (const { id } of executions) (byWorker[stack.workerOf(id) ?? 'nobody'] ??= []).push(id);
		const peak = (ids: string[]) => {
			const spans = executions.filter((e) => ids.includes(String(e.id))).map((e) => [Date.parse(e.startedAt), Date.parse(e.stoppedAt)]);
			return Math.max(...spans.map(([start]) => spans.filter(([a, b]) => a <= start && start < b).length));
		};
		log(`executions per worker: ${Object.entries(byWorker).map(([w, ids]) => `${w}=${ids.length} (at most ${peak(ids)} at once)`).join(' ')}`);
		expect(byWorker.nobody).toBeUndefined();
		expect(Object.keys(byWorker).sort()).toEqual(['worker1', 'worker2']);

		// One create per prompt: nothing was sent twice.
		const createdPrompts = creates(sandbox.requests()).map((r) => r.body?.prompt);
		expect(createdPrompts.sort()).toEqual([...prompts].sort());
	});

	it('downloads a video on a worker into the database binary mode (the queue-mode default), and main serves its bytes', async () => {
		const response = await fetch(`${webhookBase}/qm-download`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ prompt: 'Downloaded in queue mode [duration:1]' }),
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^video\/mp4/);
		const answered = createHash('sha256').update(Buffer.from(await response.arrayBuffer())).digest('hex');

		const [summary] = await stack.executions({ workflowId: DOWNLOAD.id });
		const execution = await stack.execution(summary.id);
		expect(execution.status).toBe('success');
		expect(stack.workerOf(summary.id)).toMatch(/^worker[12]$/);
		const [item] = outputItems(execution.runData, 'Wait Until Done', 0);
		expect(item.binary.data).toMatchObject({ mimeType: 'video/mp4', data: 'database' });
		expect(item.binary.data.id).toMatch(/^database:/);
		const served = await sandbox.videoSha256(item.json.id);
		// The webhook's answer (main read the worker's binary) and main's binary-data endpoint hold the served bytes.
		expect(answered).toBe(served);
		const download = await fetch(`${stack.baseUrl}/rest/binary-data?id=${encodeURIComponent(item.binary.data.id)}&action=download`, { headers: { cookie: stack.cookieHeader() } });
		expect(download.status).toBe(200);
		expect(createHash('sha256').update(Buffer.from(await download.arrayBuffer())).digest('hex')).toBe(served);
	});

	it('a killed worker: its execution ends in error without a second create; the tasks are picked up from where they were recorded', async () => {
		const tasks = [1, 2, 3].map((i) => ({ prompt: `Long video ${i} [duration:75]` }));
		const posted = await fetch(`${webhookBase}/qm-long`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ tasks }),
		});
		expect(posted.status).toBe(200);

		// The execution, the worker running it, and Wait Until Done polling the three tasks.
		let executionId = '';
		for (let i = 0; i < 600 && !executionId; i++) {
			const [latest] = await stack.executions({ workflowId: LONG.id });
			if (latest) executionId = String(latest.id);
			else await sleep(100);
		}
		expect(executionId).not.toBe('');
		let workerName: string | undefined;
		for (let i = 0; i < 600 && !workerName; i++) {
			workerName = stack.workerOf(executionId);
			if (!workerName) await sleep(100);
		}
		const victim = stack.workers.find((w) => w.name === workerName);
		expect(victim).toBeDefined();
		const longPrompts = tasks.map((t) => t.prompt);
		const longCreates = () => creates(sandbox.requests()).filter((r) => longPrompts.includes(r.body?.prompt));
		const polledIds = () => new Set(sandbox.requests().filter((r) => r.path === '/v1/video/query').map((r) => r.query.id));
		for (let i = 0; i < 600; i++) {
			const ids = longCreates().map((r) => r.taskId);
			if (ids.length === 3 && ids.every((id) => polledIds().has(id as string))) break;
			await sleep(100);
		}
		const createdIds = longCreates().map((r) => r.taskId).sort();
		expect(createdIds).toHaveLength(3);

		// Saved on progress: while it runs, the execution's saved data holds Video Create's output.
		const whileRunning = await stack.execution(executionId);
		expect(whileRunning.status).toBe('running');
		expect(outputItems(whileRunning.runData, 'Video Create').map((i) => i.json.id).sort()).toEqual(createdIds);

		const killedAt = Date.now();
		await victim!.kill('SIGKILL');
		const failed = await stack.waitForExecution(executionId, { timeoutMs: 5 * 60_000 });
		log(`execution ${executionId} (on ${workerName}) ended '${failed.status}' ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill: ${failed.error?.message}`);

		// The outcome in n8n 2.41.1: error after lock + stall detection, never re-run on the other worker, no
		// second create.
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toMatch(/failed to be processed too many times/);
		const starts = stack.workers.flatMap((w) => [...w.logs().matchAll(new RegExp(`Worker started execution ${executionId} `, 'g'))]);
		expect(starts).toHaveLength(1);
		expect(longCreates()).toHaveLength(3);
		// ...and main replaces the failed execution's data with the error alone (WorkflowRunner.processError writes
		// runData: {}), so the progress saved above is gone: the ids must be recorded elsewhere to be recoverable.
		expect(Object.keys(failed.runData)).toEqual([]);

		// Recorded right after the create (a Data Table row per task, in Postgres), the tasks are picked up by a
		// Wait Until Done on their ids: every one completes, and nothing is created again.
		await stack.startWorker(victim!.index);
		const resumed = await fetch(`${webhookBase}/qm-resume`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		expect(resumed.status).toBe(200);
		const items = (await resumed.json()) as any[];
		expect(items.map((i) => [i.id, i.status]).sort()).toEqual(createdIds.map((id) => [id, 'completed']));
		expect(longCreates()).toHaveLength(3);
	});

	it('stop() ends every process, frees every port and removes its folder', async () => {
		const ports = stack.ports();
		const pids = [stack.main, stack.redis, stack.postgres, ...stack.workers].map((p) => p.pid()).filter((p): p is number => p !== undefined);
		expect(pids).toHaveLength(5);
		await stack.stop();
		const alive = pids.filter((pid) => {
			try {
				process.kill(pid, 0);
				return true;
			} catch {
				return false;
			}
		});
		expect(alive).toEqual([]);
		const listening = [];
		for (const port of ports) if (await stack.isListening(port)) listening.push(port);
		expect(listening).toEqual([]);
		expect(existsSync(stack.root)).toBe(false);
	});
});
