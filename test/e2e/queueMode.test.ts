// n8n 2.41.1 in queue mode: a private Redis and Postgres, main + 2 workers (EXECUTIONS_MODE=queue), each with the
// packed package installed as a community package, all started by this file once (test/e2e/lib/queueStack.js) and
// stopped at its end. Workflows are started through a production webhook, as a scheduled batch or a form would be.
import { createHash } from 'crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { assertReady, node, PACKAGE } from './support';
import type { QueueStack } from './lib/queueStack';
import { queueServicesInstalled, startQueueStack } from './lib/queueStack';
import type { LoggedRequest, Sandbox } from '../inprocess/harness/sandbox';
import { startSandbox } from '../inprocess/harness/sandbox';
import { manualToWebhook, parseCsv, prepareExample } from '../../scripts/examples';

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

const to = (name: string) => ({ main: [[{ node: name, type: 'main', index: 0 }]] });

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

/**
 * The write-back pattern: examples/data-table-batch.json as it ships (its manual trigger a webhook, so that a worker
 * runs it), reading prompts.csv from a folder of its own. It records each task id in the Data Table
 * apertis_video_tasks right after Video Create and passes the recorded ids into Existing Task ID on the next run.
 */
const REWRITE_ROOT = mkdtempSync(join(tmpdir(), 'qm-write-back-'));
const WRITE_BACK = prepareExample('data-table-batch.json', { credentialId: CREDENTIAL, credentialName: 'Apertis sandbox', outputRoot: REWRITE_ROOT });
const WRITE_BACK_PATH = manualToWebhook(WRITE_BACK.workflow)!;
/** The Data Table the example creates and reads. */
const WRITE_BACK_TABLE = 'apertis_video_tasks';

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
		stack = await startQueueStack({ env: { ...QUEUE_ENV, N8N_RESTRICT_FILE_ACCESS_TO: REWRITE_ROOT }, concurrency: 5, log, startN8n: false });
		await stack.importCredentials([{ id: CREDENTIAL, name: 'Apertis sandbox', type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } }]);
		await stack.importWorkflows([BATCH, DOWNLOAD, WRITE_BACK.workflow]);
		await stack.start();
		await stack.publishWorkflow(BATCH.id, { method: 'POST', path: 'webhook/qm-batch' });
		await stack.publishWorkflow(DOWNLOAD.id, { method: 'POST', path: 'webhook/qm-download' });
		await stack.publishWorkflow(WRITE_BACK.workflow.id, { method: 'POST', path: `webhook/${WRITE_BACK_PATH}` });
		webhookBase = `${stack.baseUrl}/webhook`;
	}, 8 * 60_000);

	afterAll(async () => {
		await stack?.stop();
		await sandbox?.close();
		rmSync(REWRITE_ROOT, { recursive: true, force: true });
	});

	/** Runs the write-back example once on these prompts (veo3): its new execution's id. */
	async function runWriteBack(prompts: string[]): Promise<string> {
		writeFileSync(join(WRITE_BACK.folder, 'prompts.csv'), `prompt,model\n${prompts.map((p) => `${p},veo3\n`).join('')}`);
		const before = new Set((await stack.executions({ workflowId: WRITE_BACK.workflow.id })).map((e) => String(e.id)));
		const posted = await fetch(`${webhookBase}/${WRITE_BACK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		expect(posted.status).toBe(200);
		for (let i = 0; i < 600; i++) {
			const id = (await stack.executions({ workflowId: WRITE_BACK.workflow.id })).map((e) => String(e.id)).find((e) => !before.has(e));
			if (id) return id;
			await sleep(100);
		}
		throw new Error('The write-back example started no execution');
	}

	/** The rows of the example's Data Table (read over n8n's REST API). */
	async function recordedTasks(): Promise<Array<{ prompt: string; task_id: string }>> {
		const project = await stack.rest('GET', '/rest/projects/personal');
		const tables = await stack.rest('GET', `/rest/projects/${project.id}/data-tables`);
		const table = (tables.data ?? tables).find((t: { name: string }) => t.name === WRITE_BACK_TABLE);
		if (!table) return [];
		const rows = await stack.rest('GET', `/rest/projects/${project.id}/data-tables/${table.id}/rows?take=250`);
		return rows.data ?? rows;
	}

	/** The worker running an execution, once one has started it. */
	async function workerRunning(executionId: string) {
		for (let i = 0; i < 600; i++) {
			const name = stack.workerOf(executionId);
			if (name) return stack.workers.find((w) => w.name === name)!;
			await sleep(100);
		}
		throw new Error(`No worker started execution ${executionId}`);
	}

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

	it('a killed worker: its execution ends in error, not re-run, its data replaced; with the write-back pattern (a 10-row batch killed while Wait Until Done waits) running the workflow again completes all 10 with exactly 10 creates', async () => {
		const prompts = Array.from({ length: 10 }, (_, i) => `Write-back row ${i + 1} [duration:40]`);
		const rowCreates = () => creates(sandbox.requests()).filter((r) => prompts.includes(r.body?.prompt));
		const polled = () => new Set(sandbox.requests().filter((r) => r.path === '/v1/video/query').map((r) => r.query.id));
		const first = await runWriteBack(prompts);
		const victim = await workerRunning(first);
		// Wait Until Done polls every task: Record Task (before it) has written all 10 ids to the Data Table.
		for (let i = 0; i < 1200; i++) {
			const ids = rowCreates().map((r) => r.taskId);
			if (ids.length === 10 && ids.every((id) => polled().has(id as string))) break;
			await sleep(100);
		}
		const createdIds = rowCreates().map((r) => r.taskId as string).sort();
		expect(createdIds).toHaveLength(10);
		expect((await recordedTasks()).filter((row) => prompts.includes(row.prompt)).map((row) => row.task_id).sort()).toEqual(createdIds);
		// Saved on progress: while it runs, the execution's saved data holds Video Create's output.
		const whileRunning = await stack.execution(first);
		expect(whileRunning.status).toBe('running');
		expect(outputItems(whileRunning.runData, 'Video Create').map((i) => i.json.id).sort()).toEqual(createdIds);

		const killedAt = Date.now();
		await victim.kill('SIGKILL');
		const failed = await stack.waitForExecution(first, { timeoutMs: 5 * 60_000 });
		log(`execution ${first} (on ${victim.name}) ended '${failed.status}' ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill: ${failed.error?.message}`);
		// The outcome in n8n 2.41.1: error after lock + stall detection, never re-run on the other worker, no second
		// create; main replaces the failed execution's data with the error alone (WorkflowRunner.processError writes
		// runData: {}), so the progress saved above, and the create node's context, are gone: Retry execution has
		// nothing to reuse. The ids recorded in the Data Table are what is left.
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toMatch(/failed to be processed too many times/);
		const starts = stack.workers.flatMap((w) => [...w.logs().matchAll(new RegExp(`Worker started execution ${first} `, 'g'))]);
		expect(starts).toHaveLength(1);
		expect(rowCreates()).toHaveLength(10);
		expect(Object.keys(failed.runData)).toEqual([]);

		// The user's remedy: run the same workflow again (the other worker takes it while the killed one restarts).
		const restarting = stack.startWorker(victim.index);
		const rerunAt = Date.now();
		const second = await runWriteBack(prompts);
		const done = await stack.waitForExecution(second, { timeoutMs: 5 * 60_000 });
		log(`the re-run ${second} ended '${done.status}' in ${((Date.now() - rerunAt) / 1000).toFixed(1)} s on ${stack.workerOf(second)}`);
		expect(done.status).toBe('success');
		const videoCreate = outputItems(done.runData, 'Video Create');
		expect(videoCreate.map((i) => [i.json.id, i.json.reused]).sort()).toEqual(createdIds.map((id) => [id, true]));
		const completed = outputItems(done.runData, 'Wait Until Done', 0);
		expect(completed.map((i) => [i.json.id, i.json.status]).sort()).toEqual(createdIds.map((id) => [id, 'completed']));
		const results = parseCsv(readFileSync(join(WRITE_BACK.folder, 'results.csv'), 'utf8'));
		expect(results.map((row) => [row.prompt, row.status]).sort()).toEqual(prompts.map((p) => [p, 'completed']).sort());
		// Exactly 10 accepted creates in all: the re-run paid for nothing.
		expect(rowCreates().map((r) => r.status)).toEqual(prompts.map(() => 200));
		await restarting;
	});

	it('measured, not covered: a worker killed during Video Create (1 s per API answer) leaves tasks created and never written back', async () => {
		const prompts = Array.from({ length: 10 }, (_, i) => `Unrecorded row ${i + 1} [duration:20]`);
		const paid = () => sandbox.tasks().filter((t) => prompts.includes(t.prompt));
		sandbox.configure({ latencyMs: 1000 });
		try {
			const execution = await runWriteBack(prompts);
			const victim = await workerRunning(execution);
			// Video Create sends 8 at a time (its default): kill once the first answers are back, with the next creates on the wire.
			for (let i = 0; i < 600 && paid().length < 5; i++) await sleep(50);
			const paidAtKill = paid().length;
			await victim.kill('SIGKILL');
			// The creates already sent arrive and are created (and billed) at Apertis whether or not anyone reads the answer.
			await sleep(3000);
			const recorded = (await recordedTasks()).filter((row) => prompts.includes(row.prompt)).length;
			log(`kill during Video Create: ${paidAtKill} tasks created when the worker was killed, ${paid().length} in all once the requests on the wire landed; ${recorded} recorded in the Data Table`);
			log(`FIGURES ${JSON.stringify({ killDuringCreate: { rows: prompts.length, createdAtKill: paidAtKill, createdInAll: paid().length, recorded } })}`);
			expect(recorded).toBe(0);
			expect(paid().length).toBeGreaterThanOrEqual(5);
			await stack.startWorker(victim.index);
		} finally {
			sandbox.configure({ latencyMs: 0 });
		}
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
