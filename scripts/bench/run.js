// `npm run bench`: this package against the hand-built polling loop, in one real n8n (the pinned test runtime),
// against the sandbox. Writes bench/results.md and bench/results.json. `--quick` for a short smoke run.
'use strict';
const fs = require('fs');
const path = require('path');

const { createN8nEnv, packAndInstall, freePorts, startProcess, parseExecutionOutput, NODE_BIN, N8N_BIN } = require('../../test/e2e/lib');
const { startSandbox } = require('../../test/sandbox');
const { batchFigures, samplePeakRss } = require('./measure');
const { sideA, sideB, download, APERTIS, HEADER_AUTH } = require('./workflows');
const { writeReport } = require('./report');

const QUICK = process.argv.includes('--quick');
const RESULTS_DIR = path.resolve(__dirname, '..', '..', 'bench');
const SCALE = QUICK ? 0.2 : 1;
/** Typical duration per model (medians 20–60 s), each task ±25 % around it, seeded. */
const MODEL_DURATIONS_MS = { 'veo3-fast': 20_000, veo3: 30_000, 'veo3.1': 40_000, veo2: 60_000 };
const SIZES = QUICK ? [10] : [50, 200];
const RATE_LIMIT_RPS = 5;
const VIDEO_BYTES = QUICK ? 64 * 1024 ** 2 : 1024 ** 3;

const rowsOf = (n) => Array.from({ length: n }, (_, i) => {
	const models = Object.keys(MODEL_DURATIONS_MS);
	return { model: models[i % models.length], prompt: `Bench scene ${i}` };
});

async function main() {
	if (process.argv.includes('--report-only')) {
		// Re-renders bench/results.md from bench/results.json (after a change to the report's wording).
		const results = JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, 'results.json'), 'utf8'));
		return fs.writeFileSync(path.join(RESULTS_DIR, 'results.md'), writeReport(results));
	}
	const sandbox = await startSandbox({
		modelDurationsMs: Object.fromEntries(Object.entries(MODEL_DURATIONS_MS).map(([model, ms]) => [model, ms * SCALE])),
		durationSpread: 0.25,
		seed: 7,
	});
	const env = await createN8nEnv({ env: { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' } });
	const results = { quick: QUICK, modelDurationsMs: MODEL_DURATIONS_MS, scale: SCALE, batches: [], rateLimit: [], memory: null, overhead: null };
	try {
		await packAndInstall(env.userFolder);
		await env.importCredentials([
			{ id: APERTIS.apertisApi.id, name: APERTIS.apertisApi.name, type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } },
			{ id: HEADER_AUTH.httpHeaderAuth.id, name: HEADER_AUTH.httpHeaderAuth.name, type: 'httpHeaderAuth', data: { name: 'Authorization', value: `Bearer ${sandbox.apiKey}` } },
		]);
		const workflows = SIZES.flatMap((n) => [sideA(`benchSideA${String(n).padStart(6, '0')}`, rowsOf(n)), sideB(`benchSideB${String(n).padStart(6, '0')}`, rowsOf(n), sandbox.url)]);
		await env.importWorkflows(workflows);

		const runBatch = async (side, n, id) => {
			sandbox.reset();
			console.log(`bench: side ${side}, ${n} tasks${sandbox.config().requestsPerSecond ? `, ${sandbox.config().requestsPerSecond} requests/s limit` : ''}…`);
			const run = await env.execute(id, { timeoutMs: 30 * 60_000 });
			const firstRequest = sandbox.requests()[0]?.at ?? Date.now();
			const stoppedAt = Date.parse(run.execution.stoppedAt);
			const outputs = run.runData[side === 'A' ? 'Wait Until Done' : 'Finished']?.[0]?.data?.main ?? [];
			const figures = batchFigures(sandbox, firstRequest, stoppedAt);
			const completed = side === 'A' ? (outputs[0] ?? []).length : countFinished(run, 'completed');
			const failedItems = n - completed;
			const createMs = run.runData[side === 'A' ? 'Video Create' : 'Create']?.[0]?.executionTime;
			return { side, n, ok: run.ok, error: run.error?.message ?? null, completed, failedItems, createMsPerItem: createMs ? createMs / n : null, ...figures };
		};

		for (const n of SIZES) {
			for (const side of ['A', 'B']) results.batches.push(await runBatch(side, n, `benchSide${side}${String(n).padStart(6, '0')}`));
		}
		sandbox.configure({ requestsPerSecond: RATE_LIMIT_RPS });
		const n = SIZES[0];
		for (const side of ['A', 'B']) results.rateLimit.push({ limit: RATE_LIMIT_RPS, ...(await runBatch(side, n, `benchSide${side}${String(n).padStart(6, '0')}`)) });
		sandbox.configure({ requestsPerSecond: 0 });

		results.memory = await measureDownloads(env, sandbox);
		results.overhead = { createMsPerItem: results.batches.find((b) => b.side === 'A' && b.n === SIZES[SIZES.length - 1])?.createMsPerItem ?? null };
	} finally {
		await env.cleanup();
		await sandbox.close();
	}
	fs.mkdirSync(RESULTS_DIR, { recursive: true });
	if (!QUICK) fs.writeFileSync(path.join(RESULTS_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
	const report = writeReport(results);
	if (!QUICK) fs.writeFileSync(path.join(RESULTS_DIR, 'results.md'), report);
	console.log(report);
}

/** Side B's items that left the loop with the given status (each item's last pass through Finished). */
function countFinished(run, status) {
	return (run.runData.Finished ?? []).flatMap((r) => r.data?.main?.[0] ?? []).filter((item) => item.json.status === status).length;
}

/** Peak RSS of `n8n execute` downloading one big video, each way, above an idle run's. */
async function measureDownloads(env, sandbox) {
	sandbox.reset();
	sandbox.configure({ videoBytes: VIDEO_BYTES });
	const created = await fetch(`${sandbox.url}/v1/video/create`, {
		method: 'POST',
		headers: { authorization: `Bearer ${sandbox.apiKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'veo2', prompt: 'Big video [duration:0]' }),
	}).then((r) => r.json());
	const task = await fetch(`${sandbox.url}/v1/video/query?id=${encodeURIComponent(created.id)}`, { headers: { authorization: `Bearer ${sandbox.apiKey}` } }).then((r) => r.json());
	await env.importWorkflows(['idle', 'apertis', 'http'].map((kind) => download(`benchDownload${kind.padEnd(3, 'x').slice(0, 3)}`, kind, task)));
	const peaks = {};
	for (const kind of ['idle', 'apertis', 'http']) {
		console.log(`bench: ${VIDEO_BYTES / 1024 ** 2} MB download, ${kind}…`);
		peaks[kind] = await peakRssOf(env, `benchDownload${kind.padEnd(3, 'x').slice(0, 3)}`);
	}
	return { videoBytes: VIDEO_BYTES, idlePeakBytes: peaks.idle.peak, apertis: { ...peaks.apertis, extraBytes: peaks.apertis.peak - peaks.idle.peak }, http: { ...peaks.http, extraBytes: peaks.http.peak - peaks.idle.peak } };
}

async function peakRssOf(env, workflowId) {
	const [port, brokerPort] = await freePorts(2);
	const proc = startProcess(NODE_BIN, [N8N_BIN, 'execute', `--id=${workflowId}`], { cwd: env.userFolder, env: env.processEnv(port, brokerPort) });
	const sampler = samplePeakRss(proc.child.pid);
	await proc.exited;
	const peak = sampler.stop();
	const execution = parseExecutionOutput(proc.output());
	const binary = execution?.data?.resultData?.runData?.Download?.[0]?.data?.main?.[0]?.[0]?.binary;
	return { peak, ok: !execution?.data?.resultData?.error, fileSize: binary ? Object.values(binary)[0]?.fileSize ?? null : null };
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
