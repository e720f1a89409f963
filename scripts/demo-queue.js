// `npm run demo:queue`: the example workflows on n8n in queue mode. Brings up a private Redis and PostgreSQL, the
// pinned n8n's main process and 2 workers (EXECUTIONS_MODE=queue) with the packed package installed in each
// (test/e2e/lib/queueStack.js), runs every example on them against the sandbox (the manually triggered ones through
// a production webhook that replaces their manual trigger, the form one through an HTTP form post), prints which
// worker ran what, and tears everything down, also on Ctrl-C or SIGTERM.
// Usage: node scripts/demo-queue.js [--keep] [--workers 2] [--concurrency 5] [example-file.json …]
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const { startSandbox } = require('../test/sandbox');
const { startQueueStack, stopAllQueueStacks, queueServicesInstalled } = require('../test/e2e/lib/queueStack');
const { runtimeInstalled, packageBuildState } = require('../test/e2e/lib');
// In queue mode a run must come from a trigger the workers can take over: the manual trigger becomes a production
// webhook (manualToWebhook).
const { exampleFiles, isChatExample, prepareExample, formTriggerOf, manualToWebhook, summarizeRun, submitForm, SANDBOX_TIMING } = require('./examples');

const CREDENTIAL_ID = 'apertisSandbox1';

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const t0 = Date.now();
const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1)}s]`;

function parseArgs() {
	const args = process.argv.slice(2);
	/** @param {string} name @param {number} fallback */
	const number = (name, fallback) => {
		const at = args.indexOf(name);
		if (at < 0) return fallback;
		const value = Number(args.splice(at, 2)[1]);
		if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a whole number above 0`);
		return value;
	};
	const workers = number('--workers', 2);
	const concurrency = number('--concurrency', 5);
	const keep = args.includes('--keep');
	const files = args.filter((a) => !a.startsWith('--'));
	// The chat examples (a Chat Trigger) are run by npm run demo, not here.
	return { workers, concurrency, keep, files: files.length ? files : exampleFiles().filter((file) => !isChatExample(file)) };
}

async function main() {
	const { workers, concurrency, keep, files } = parseArgs();
	if (!runtimeInstalled()) throw new Error('The pinned n8n runtime is missing. Run: bash scripts/setup.sh');
	if (!queueServicesInstalled()) throw new Error('Redis or PostgreSQL is missing. Run: bash scripts/install-queue-services.sh');
	if (!packageBuildState().built) throw new Error('The package is not built. Run: npm run build');

	const outputRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'apertis-demo-queue-'));
	/** @type {any} */
	let sandbox;
	let finishing = false;
	/** @param {number} code */
	const finish = async (code) => {
		if (finishing) return;
		finishing = true;
		console.log(`${stamp()} stopping n8n (main, workers), Redis, Postgres and the sandbox…`);
		await stopAllQueueStacks().catch((error) => console.error(error));
		await sandbox?.close().catch(() => {});
		if (!keep) fs.rmSync(outputRoot, { recursive: true, force: true, maxRetries: 3 });
		else console.log(`outputs kept in ${outputRoot}`);
		process.exit(code);
	};
	for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
		process.on(signal, () => {
			console.log(`\n${signal}: tearing down`);
			void finish(130);
		});
	}

	try {
		sandbox = await startSandbox(SANDBOX_TIMING);
		console.log(`${stamp()} sandbox: ${sandbox.url} (no API key needed; each video takes ${SANDBOX_TIMING.durationMs / 1000} s ± ${SANDBOX_TIMING.durationSpread * 100} %)`);
		const prepared = files.map((file) => {
			const example = prepareExample(file, { credentialId: CREDENTIAL_ID, outputRoot });
			return { ...example, webhookPath: manualToWebhook(example.workflow) };
		});
		console.log(`${stamp()} starting Redis, PostgreSQL, n8n main + ${workers} workers (queue mode, concurrency ${concurrency})…`);
		const stack = await startQueueStack({
			workers,
			concurrency,
			startN8n: false,
			env: { N8N_RESTRICT_FILE_ACCESS_TO: outputRoot },
			log: (line) => console.log(`  ${line}`),
		});
		await stack.importCredentials([{ id: CREDENTIAL_ID, name: 'Apertis sandbox', type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } }]);
		await stack.importWorkflows(prepared.map((e) => e.workflow));
		await stack.start();
		for (const example of prepared) {
			const form = formTriggerOf(example.workflow);
			const probe = example.webhookPath
				? { method: 'POST', path: `webhook/${example.webhookPath}` }
				: form
					? { method: 'GET', path: `form/${form.webhookId}` }
					: undefined;
			await stack.publishWorkflow(example.workflow.id, probe);
		}
		console.log(`${stamp()} n8n main: ${stack.baseUrl} (log in as ${stack.owner.email} / ${stack.owner.password})`);

		// Every example at once, so that both workers get work.
		const results = await Promise.all(
			prepared.map(async (example) => {
				const started = Date.now();
				/** @type {any} */
				let run;
				let executionId = '';
				/** @type {string | undefined} */
				let page;
				if (example.webhookPath) {
					console.log(`${stamp()} POST /webhook/${example.webhookPath} (${example.file})`);
					const response = await fetch(`${stack.baseUrl}/webhook/${example.webhookPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
					if (response.status !== 200) throw new Error(`${example.file}: the webhook answered ${response.status}: ${await response.text()}`);
					for (let i = 0; i < 600 && !executionId; i++) {
						const [latest] = await stack.executions({ workflowId: example.workflow.id });
						if (latest) executionId = String(latest.id);
						else await sleep(100);
					}
					const execution = await stack.waitForExecution(executionId, { timeoutMs: 10 * 60_000 });
					run = { ok: execution.status === 'success', status: execution.status, runData: execution.runData, error: execution.error };
				} else if (formTriggerOf(example.workflow)) {
					console.log(`${stamp()} posting the form of ${example.file}`);
					const submitted = await submitForm(/** @type {any} */ (stack), example.workflow);
					run = submitted.run;
					executionId = submitted.executionId;
					page = submitted.page;
				} else {
					throw new Error(`${example.file} has neither a manual trigger nor a form`);
				}
				const summary = summarizeRun(example.workflow, run);
				if (!run.ok) console.error(`${example.file} failed: ${run.error?.message ?? run.status}`);
				return { ...example, run, ok: run.ok, executionId, page, summary, seconds: (Date.now() - started) / 1000 };
			}),
		);

		printTable(results, stack);
		const byWorker = new Map();
		for (const worker of stack.workers) byWorker.set(worker.name, []);
		for (const [executionId, names] of Object.entries(stack.whoRan())) for (const name of names) byWorker.get(name)?.push(executionId);
		console.log(`\nwho ran what (from the workers' logs, "Worker started execution N"):`);
		for (const [name, ids] of byWorker) console.log(`  ${name}: ${ids.length ? `executions ${ids.join(', ')}` : 'nothing'}`);
		console.log(`\nall examples in queue mode: ${((Date.now() - t0) / 1000).toFixed(1)} s including start-up`);
		await finish(results.every((r) => r.ok) ? 0 : 1);
	} catch (error) {
		console.error(error);
		await finish(1);
	}
}

/** @param {any} r */
function outcomeOf(r) {
	const { videos, videosDir, files } = r.summary;
	const parts = [];
	if (videos.length) parts.push(`${videos.length} video${videos.length === 1 ? '' : 's'} in ${videosDir}`);
	for (const file of files) parts.push(file);
	if (r.page !== undefined) {
		const link = /href="([^"]+)"/.exec(r.page);
		parts.push(link ? `completion page links ${link[1]}` : 'completion page without a link');
	}
	return parts.join('; ') || '—';
}

/** @param {any[]} rows @param {any} stack */
function printTable(rows, stack) {
	const header = ['workflow', 'execution', 'worker', 'status', 'items', 'completed', 'failed', 'time (s)', 'written to / shown'];
	const lines = rows.map((r) => [r.file, r.executionId, stack.workerOf(r.executionId) ?? '—', r.run.status, r.summary.items, r.summary.completed, r.summary.failed, r.seconds.toFixed(1), outcomeOf(r)]);
	const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
	/** @param {any[]} cells */
	const format = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
	console.log(`\n${format(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
	for (const line of lines) console.log(format(line));
}

void main();
