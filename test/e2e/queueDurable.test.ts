// Issue 11 in real n8n queue mode (Redis, Postgres, main + 2 workers, all started by this file through
// test/e2e/lib/queueStack.js): Wait Until Done's hand-off loop (Still Running → n8n's Wait node → back).
// 1. A batch parked in Postgres by the Wait node survives a stop and start of every process, Redis and Postgres
//    included, and then finishes: every task Completed or Failed, one create per prompt.
// 2. 1,000 tasks over 10 executions on 2 workers: every task ends where it should, 1,000 creates. Wall time,
//    requests per task and each n8n process's peak memory are logged (the README's "Running at scale" has them).
import { readFileSync } from 'fs';

import { assertReady, node, PACKAGE } from './support';
import type { QueueStack } from './lib/queueStack';
import { queueServicesInstalled, startQueueStack } from './lib/queueStack';
import type { LoggedRequest, Sandbox } from '../inprocess/harness/sandbox';
import { startSandbox } from '../inprocess/harness/sandbox';

jest.setTimeout(10 * 60_000);

const CREDENTIAL = 'qdSandboxCred01';
const log = (line: string) => process.stderr.write(`[queueDurable] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const to = (name: string) => ({ main: [[{ node: name, type: 'main', index: 0 }]] });

/**
 * Webhook (answers at once) → one item per task → Video Create → Wait Until Done, whose Still Running output goes
 * through n8n's Wait node (At Specified Time = next_check_at) back into Wait Until Done.
 */
function loopWorkflow(id: string, path: string, waitParameters: Record<string, unknown>) {
	return {
		id,
		name: `Hand-off loop ${path}`,
		nodes: [
			{ ...node('Webhook', 'n8n-nodes-base.webhook', 0, { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} }, { typeVersion: 2 }), webhookId: `${id}-hook` },
			node('One Item per Task', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'body.tasks', options: {} }),
			node('Video Create', `${PACKAGE}.apertisVideoCreate`, 2, { model: 'veo3', prompt: '={{ $json.prompt }}' }, { credentialId: CREDENTIAL }),
			node('Wait Until Done', `${PACKAGE}.apertisWaitUntilDone`, 3, { taskId: '={{ $json.id }}', ...waitParameters }, { credentialId: CREDENTIAL }),
			{
				...node('Wait for Next Check', 'n8n-nodes-base.wait', 4, { resume: 'specificTime', dateTime: '={{ $json.next_check_at }}' }, { typeVersion: 1.1 }),
				webhookId: `${id}-wait`,
			},
		],
		connections: {
			Webhook: to('One Item per Task'),
			'One Item per Task': to('Video Create'),
			'Video Create': to('Wait Until Done'),
			'Wait Until Done': { main: [[], [], [{ node: 'Wait for Next Check', type: 'main', index: 0 }]] },
			'Wait for Next Check': to('Wait Until Done'),
		},
	};
}

/** 1.2 minutes in memory: with no progress from /v1/video/query, next_check_at is one window (72 s) ahead, so the
 * Wait node's wait is over n8n's 65 s and it parks the execution in the database. */
const DURABLE = loopWorkflow('qdDurableWf0001', 'qd-durable', { pollInterval: 10, timeout: 10, handOffAfter: 1.2 });
/** 15 s windows: the Wait node's waits stay in memory (under 65 s); the loop runs on the worker that took the job. */
const SCALE = loopWorkflow('qdScaleWf000001', 'qd-scale', { pollInterval: 10, timeout: 10, handOffAfter: 0.25 });

const creates = (requests: LoggedRequest[]) => requests.filter((r) => r.method === 'POST' && r.path === '/v1/video/create');
const polls = (requests: LoggedRequest[]) => requests.filter((r) => r.method === 'GET' && r.path === '/v1/video/query');

/** Every pass of Wait Until Done in one execution: what left by Completed, Failed and Still Running. */
function passesOf(runData: Record<string, any[]>) {
	return (runData['Wait Until Done'] ?? []).map((run) => ({
		startTime: run.startTime as number,
		completed: (run.data?.main?.[0] ?? []) as any[],
		failed: (run.data?.main?.[1] ?? []) as any[],
		stillRunning: (run.data?.main?.[2] ?? []) as any[],
	}));
}

/** Kilobytes from a /proc/<pid>/status line (VmRSS, VmHWM); undefined once the process is gone. */
function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
	try {
		const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) : undefined;
	} catch {
		return undefined;
	}
}

/** Samples the resident memory of each named process every 500 ms until stopped. */
function sampleMemory(processes: Array<{ name: string; pid(): number | undefined }>) {
	const peakKb: Record<string, number> = {};
	const startKb: Record<string, number | undefined> = {};
	for (const p of processes) startKb[p.name] = procStatusKb(p.pid()!, 'VmRSS');
	const sample = () => {
		for (const p of processes) {
			const kb = procStatusKb(p.pid()!, 'VmRSS');
			if (kb !== undefined) peakKb[p.name] = Math.max(peakKb[p.name] ?? 0, kb);
		}
	};
	sample();
	const timer = setInterval(sample, 500);
	return {
		stop() {
			clearInterval(timer);
			sample();
			return processes.map((p) => ({ name: p.name, startKb: startKb[p.name], peakKb: peakKb[p.name], hwmKb: procStatusKb(p.pid()!, 'VmHWM') }));
		},
	};
}

const mib = (kb: number | undefined) => (kb === undefined ? '?' : `${(kb / 1024).toFixed(0)} MiB`);

describe('n8n queue mode: the hand-off loop of Wait Until Done', () => {
	let sandbox: Sandbox;
	let stack: QueueStack;
	const suiteStarted = Date.now();

	beforeAll(async () => {
		assertReady();
		if (!queueServicesInstalled()) throw new Error('Redis or PostgreSQL is missing. Run: bash scripts/install-queue-services.sh');
		sandbox = await startSandbox({});
		stack = await startQueueStack({ workers: 2, concurrency: 5, log, startN8n: false });
		await stack.importCredentials([{ id: CREDENTIAL, name: 'Apertis sandbox', type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } }]);
		await stack.importWorkflows([DURABLE, SCALE]);
		await stack.start();
		await stack.publishWorkflow(DURABLE.id, { method: 'POST', path: 'webhook/qd-durable' });
		await stack.publishWorkflow(SCALE.id, { method: 'POST', path: 'webhook/qd-scale' });
	}, 8 * 60_000);

	afterAll(async () => {
		await stack?.stop();
		await sandbox?.close();
		log(`file took ${((Date.now() - suiteStarted) / 1000).toFixed(0)} s`);
	});

	it('a batch parked in Postgres by the Wait node survives stopping every process (Redis and Postgres too) and finishes; one create per prompt', async () => {
		const prompts = [
			'Durable short [duration:4]',
			'Durable long A [duration:90]',
			'Durable long B [duration:120]',
			'Durable doomed [fail] [duration:100]',
		];
		const posted = await fetch(await stack.waitForWebhook('POST', 'webhook/qd-durable'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ tasks: prompts.map((prompt) => ({ prompt })) }),
		});
		expect(posted.status).toBe(200);

		let executionId = '';
		for (let i = 0; i < 600 && !executionId; i++) {
			const [latest] = await stack.executions({ workflowId: DURABLE.id });
			if (latest) executionId = String(latest.id);
			else await sleep(100);
		}
		expect(executionId).not.toBe('');

		// First pass: the short task completes; the others leave by Still Running after 1.2 minutes and the Wait node
		// parks the execution in Postgres until next_check_at (its waitTill).
		const parked = await stack.waitForExecution(executionId, { statuses: ['waiting', 'success', 'error', 'crashed', 'canceled'], timeoutMs: 4 * 60_000 });
		expect(parked.status).toBe('waiting');
		const [first] = passesOf(parked.runData);
		expect(first.completed.map((i) => i.json.enhanced_prompt)).toEqual([prompts[0]]);
		expect(first.failed).toEqual([]);
		expect(first.stillRunning.map((i) => i.json.enhanced_prompt)).toEqual(prompts.slice(1));
		for (const item of first.stillRunning) {
			expect(item.json).toMatchObject({ id: expect.any(String), status: expect.any(String), next_check_at: expect.any(String), waiting_since: expect.any(String) });
		}
		const nextCheckAt = Date.parse(first.stillRunning[0].json.next_check_at);
		const waitTill = Number(await stack.postgres.sql(`SELECT (extract(epoch from "waitTill") * 1000)::bigint FROM execution_entity WHERE id = ${Number(executionId)}`));
		expect(waitTill).toBe(nextCheckAt);
		// Parked, it holds no worker: the worker's job for it has ended.
		const finishedJobs = stack.workers.flatMap((w) => [...w.logs().matchAll(new RegExp(`Worker finished execution ${executionId} `, 'g'))]);
		expect(finishedJobs).toHaveLength(1);
		log(`execution ${executionId} parked by ${stack.workerOf(executionId)}: waitTill ${new Date(waitTill).toISOString()}, ${((waitTill - Date.now()) / 1000).toFixed(0)} s ahead`);

		// Everything down and up again: main, both workers, Redis (its queue is lost) and Postgres (same data).
		const restartBegan = Date.now();
		await stack.restart({ redis: 'restart', postgres: 'restart' });
		log(`restart of main, 2 workers, Redis and Postgres took ${((Date.now() - restartBegan) / 1000).toFixed(1)} s; ${((waitTill - Date.now()) / 1000).toFixed(0)} s left until waitTill`);

		const done = await stack.waitForExecution(executionId, { timeoutMs: 5 * 60_000 });
		log(`execution ${executionId} ended '${done.status}' ${((Date.now() - waitTill) / 1000).toFixed(1)} s after waitTill; ran on ${stack.workerOf(executionId)}`);
		expect(done.status).toBe('success');
		const passes = passesOf(done.runData);
		expect(passes.length).toBeGreaterThanOrEqual(2);
		expect(done.runData['Wait for Next Check']).toHaveLength(passes.length - 1);
		// The passes after the first ran after the restart, on a worker started again.
		for (const pass of passes.slice(1)) expect(pass.startTime).toBeGreaterThan(restartBegan);
		const starts = stack.workers.flatMap((w) => [...w.logs().matchAll(new RegExp(`Worker started execution ${executionId} `, 'g'))]);
		expect(starts.length).toBeGreaterThanOrEqual(2);
		expect(passes.at(-1)!.stillRunning).toEqual([]);
		// Timeout counts from the first pass: every hand-off keeps the first pass's waiting_since.
		const since = new Set(passes.flatMap((p) => p.stillRunning.map((i) => i.json.waiting_since)));
		expect(since.size).toBe(1);

		// Every task left exactly once, by Completed or (the [fail] one) Failed.
		const created = done.runData['Video Create'];
		expect(created).toHaveLength(1);
		const ids = Object.fromEntries(created[0].data.main[0].map((i: any) => [i.json.enhanced_prompt, i.json.id]));
		const completed = passes.flatMap((p) => p.completed.map((i) => [i.json.id, i.json.status]));
		const failed = passes.flatMap((p) => p.failed.map((i) => [i.json.id, i.json.status]));
		expect(completed.sort()).toEqual(prompts.slice(0, 3).map((p) => [ids[p], 'completed']).sort());
		expect(failed).toEqual([[ids[prompts[3]], 'failed']]);

		// One create per prompt: the restart and the resume sent none again.
		expect(creates(sandbox.requests()).map((r) => r.body?.prompt).sort()).toEqual([...prompts].sort());
	});

	it('1,000 tasks over 10 executions complete on 2 workers through the hand-off loop; 1,000 creates', async () => {
		const url = await stack.waitForWebhook('POST', 'webhook/qd-scale');
		const EXECUTIONS = 10;
		const PER_EXECUTION = 100;
		// 3–45 s each; the last task of every batch fails.
		const batches = Array.from({ length: EXECUTIONS }, (_, e) =>
			Array.from({ length: PER_EXECUTION }, (_, i) =>
				i === PER_EXECUTION - 1 ? `Scale ${e}-${i} [fail] [duration:20]` : `Scale ${e}-${i} [duration:${3 + ((i * 37 + e * 11) % 43)}]`,
			),
		);
		const allPrompts = batches.flat();
		const failing = allPrompts.filter((p) => p.includes('[fail]'));
		const firstRequest = sandbox.requests().length;
		const memory = sampleMemory([stack.main, ...stack.workers]);

		const started = Date.now();
		const answers = await Promise.all(
			batches.map(async (prompts) => {
				const response = await fetch(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ tasks: prompts.map((prompt) => ({ prompt })) }),
				});
				return response.status;
			}),
		);
		expect(answers).toEqual(batches.map(() => 200));

		let summaries: any[] = [];
		const final = ['success', 'error', 'crashed', 'canceled'];
		for (const deadline = Date.now() + 8 * 60_000; Date.now() < deadline; await sleep(2000)) {
			summaries = await stack.executions({ workflowId: SCALE.id });
			if (summaries.length === EXECUTIONS && summaries.every((s) => final.includes(s.status))) break;
		}
		const figures = memory.stop();
		const wallMs = Math.max(...summaries.map((s) => Date.parse(s.stoppedAt))) - started;
		expect(summaries.map((s) => s.status)).toEqual(batches.map(() => 'success'));

		// Per execution: every created task left by Completed or Failed exactly once, the last pass with nothing left.
		const completedIds: string[] = [];
		const failedIds: string[] = [];
		let maxPasses = 0;
		let handOffs = 0;
		for (const summary of summaries) {
			const execution = await stack.execution(summary.id);
			const created = execution.runData['Video Create'];
			expect(created).toHaveLength(1);
			expect(created[0].data.main[0]).toHaveLength(PER_EXECUTION);
			const passes = passesOf(execution.runData);
			expect(passes.at(-1)!.stillRunning).toEqual([]);
			maxPasses = Math.max(maxPasses, passes.length);
			handOffs += passes.reduce((n, p) => n + p.stillRunning.length, 0);
			const completed = passes.flatMap((p) => p.completed);
			const failed = passes.flatMap((p) => p.failed);
			expect(completed.length + failed.length).toBe(PER_EXECUTION);
			expect(new Set(completed.map((i) => i.json.status))).toEqual(new Set(['completed']));
			expect(new Set(failed.map((i) => i.json.status))).toEqual(new Set(['failed']));
			completedIds.push(...completed.map((i) => i.json.id));
			failedIds.push(...failed.map((i) => i.json.id));
		}

		// 1,000 creates, one per prompt; the sandbox agrees on which tasks completed and which failed.
		const requests = sandbox.requests().slice(firstRequest);
		const batchCreates = creates(requests);
		expect(batchCreates).toHaveLength(EXECUTIONS * PER_EXECUTION);
		expect(new Set(batchCreates.map((r) => r.body?.prompt)).size).toBe(EXECUTIONS * PER_EXECUTION);
		expect(batchCreates.map((r) => r.body?.prompt).sort()).toEqual([...allPrompts].sort());
		const idOf = new Map(batchCreates.map((r) => [r.body?.prompt, r.taskId]));
		expect(failedIds.sort()).toEqual(failing.map((p) => idOf.get(p)).sort());
		expect(completedIds.sort()).toEqual(allPrompts.filter((p) => !failing.includes(p)).map((p) => idOf.get(p)).sort());

		// Both workers ran some of the executions; with 15 s windows the Wait node never parked one, so each ran as a
		// single job on one worker.
		const byWorker: Record<string, number> = {};
		for (const s of summaries) {
			const jobs = stack.workers.flatMap((w) => [...w.logs().matchAll(new RegExp(`Worker started execution ${s.id} `, 'g'))]);
			expect(jobs).toHaveLength(1);
			const worker = stack.workerOf(s.id) ?? 'nobody';
			byWorker[worker] = (byWorker[worker] ?? 0) + 1;
		}
		expect(Object.keys(byWorker).sort()).toEqual(['worker1', 'worker2']);

		// Measured, not asserted.
		const pollCount = polls(requests).length;
		log(`1,000 tasks: wall ${(wallMs / 1000).toFixed(1)} s (first webhook call to last execution stopped); ` +
			`${pollCount} polls = ${(pollCount / allPrompts.length).toFixed(2)} per task (+1 create each); ` +
			`${maxPasses} passes at most, ${handOffs} hand-offs in all; executions per worker ${JSON.stringify(byWorker)}`);
		for (const f of figures) log(`memory ${f.name}: RSS ${mib(f.startKb)} at the start, peak sampled ${mib(f.peakKb)}, VmHWM ${mib(f.hwmKb)}`);
		log(`FIGURES ${JSON.stringify({ wallS: Math.round(wallMs / 100) / 10, pollsPerTask: Math.round((pollCount / allPrompts.length) * 100) / 100, maxPasses, handOffs, memoryKb: figures })}`);
	});
});
