// `npm run bench`: this package against the hand-built polling loop, in real n8n (the pinned test runtime), against
// the sandbox. Writes bench/results.md and bench/results.json. `--quick` for a short smoke run.
//
// - batches, at each of SEEDS (the sandbox's seeded durations): cold and warm, the same N twice in one n8n process
//   (`n8n execute-batch`), so that the second run (warm) finds the durations the first one (cold) learned. Side A
//   and side B run at the same time, each in its own n8n and against its own sandbox, which draws the same durations
//   for both; then two executions at once (execute-batch --concurrency=2), 100 tasks each, under a requests-per-second
//   limit the sandbox enforces;
// - the replica: the same batches in virtual time (test/replica/benchReplica.ts) at REPLICA_SEEDS, for the spread
//   over many more seeds than real n8n has time for, and to compare with real n8n at the seeds both ran;
// - at the API's latency (1 s a request, as a real API's round trip), once: creates alone (A at its default
//   concurrency, A one at a time, B), a whole cold batch, Sora streams side by side, and a batch under a rate limit;
// - memory, once: the same download node for a small and a big video (peak RSS of `n8n execute`, each measured a few
//   times), so that the difference is the download's own cost.
'use strict';
const fs = require('fs');
const path = require('path');

const { createN8nEnv, packPackage, packAndInstall, freePorts, startProcess, parseExecutionOutput, NODE_BIN, N8N_BIN, REPO_ROOT } = require('../../test/e2e/lib');
const { startSandbox } = require('../../test/sandbox');
const { windowFigures, samplePeakRss, median } = require('./measure');
const { sideA, sideB, createOnlyA, createOnlyB, soraA, download, APERTIS, HEADER_AUTH } = require('./workflows');
const { writeReport } = require('./report');
const mix = require('./mix.json');

const QUICK = process.argv.includes('--quick');
/** `--key=value` arguments, for partial runs while tuning: --sizes=200 --sides=A --parts=batches --seeds=4,5 --dump=DIR. */
const ARG = Object.fromEntries(process.argv.slice(2).filter((a) => /^--\w+=/.test(a)).map((a) => a.slice(2).split('=')));
const PARTS = (ARG.parts ?? 'batches,limit,latency,memory').split(',');
const SIDES = (ARG.sides ?? 'A,B').split(',');
/** A partial run (--sizes, --sides, --parts or --seeds) prints its report but writes nothing. */
const PARTIAL = Boolean(ARG.sizes || ARG.sides || ARG.parts || ARG.seeds);
const RESULTS_DIR = path.resolve(__dirname, '..', '..', 'bench');
const SCALE = QUICK ? 0.2 : 1;
/** Seeds of the real runs: each target is judged on the median over them, so one lucky or unlucky seed decides nothing. */
const SEEDS = ARG.seeds ? ARG.seeds.split(',').map(Number) : QUICK ? [1] : [1, 2, 3];
/** Seeds of the replica: enough for its spread (a virtual-clock seed of both sizes takes about a second). */
const REPLICA_SEEDS = Array.from({ length: 24 }, (_, i) => i + 1);
/** Typical duration per model (medians 20–60 s), each task ±25 % around it, seeded. */
const MODEL_DURATIONS_MS = mix.modelDurationsMs;
const SIZES = ARG.sizes ? ARG.sizes.split(',').map(Number) : QUICK ? [10] : mix.sizes;
const RATE_LIMIT_RPS = 5;
const CONCURRENT_N = QUICK ? 20 : 100;
const MIB = 1024 ** 2;
/** A real API's round trip is a second or more (an upload longer); the local sandbox answers in milliseconds. */
const LATENCY_MS = 1000;
const LATENCY_N = QUICK ? 10 : 50;
const LATENCY_LIMITED_N = QUICK ? 40 : 200;
/** Sora items side by side, each about this long. */
const SORA_ITEMS = 5;
const SORA_MS = 20_000 * SCALE;
/**
 * The videos, smallest first. The target compares the last two: a download's cost must not grow with the video once
 * it is longer than the memory n8n's V8 lets grow before it collects (the full run's 16 MB shows that growth).
 */
const VIDEO_SIZES = QUICK ? [16 * MIB, 64 * MIB] : [16 * MIB, 64 * MIB, 1024 * MIB];
/** Peak RSS differs a few MB from one n8n process to the next: each size is measured this often, the median kept. */
const MEMORY_REPEATS = QUICK ? 1 : 3;
/**
 * The last two videos again, in an n8n whose V8 young generation is held to 1 MB: the difference it leaves
 * is what the download holds; the rest of the default run's difference is garbage V8 collects late.
 */
const SMALL_YOUNG_GENERATION = '--max-semi-space-size=1';
/** Where `npx tsc -p tsconfig.replica.json` (scripts/bench.sh) puts the replica. */
const REPLICA = path.join(REPO_ROOT, '.tmp', 'replica', 'test', 'replica', 'benchReplica.js');

const rowsOf = (n) => Array.from({ length: n }, (_, i) => {
	const models = Object.keys(MODEL_DURATIONS_MS);
	return { model: models[i % models.length], prompt: `Bench scene ${i}` };
});
const idOf = (side, n, run) => `bench${side}${String(n).padStart(5, '0')}${run}`;

async function main() {
	if (process.argv.includes('--report-only')) {
		// Re-renders bench/results.md from bench/results.json (after a change to the report's wording).
		const results = JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, 'results.json'), 'utf8'));
		return fs.writeFileSync(path.join(RESULTS_DIR, 'results.md'), writeReport(results));
	}
	const startedAt = Date.now();
	const results = { quick: QUICK, seeds: SEEDS, modelDurationsMs: MODEL_DURATIONS_MS, durationSpread: mix.durationSpread, scale: SCALE, batches: [], rateLimit: [], replica: null, latency: null, memory: null, overhead: null, benchMinutes: null };
	const sides = await startSides();
	try {
		for (const seed of SEEDS) await realRunsAt(seed, sides, results);
		const a = sides.A ?? Object.values(sides)[0];
		a.sandbox.configure({ seed: SEEDS[0] });
		if (PARTS.includes('latency')) results.latency = await atApiLatency(a.env, a.sandbox);
		if (PARTS.includes('memory')) results.memory = await measureDownloads(a.env, a.sandbox);
		const biggest = results.batches.find((b) => b.side === 'A' && b.n === SIZES[SIZES.length - 1] && b.run === 'cold');
		results.overhead = { createMsPerItem: biggest?.createMsPerItem ?? null };
	} finally {
		for (const side of Object.values(sides)) await side.close();
	}
	if (PARTS.includes('batches')) results.replica = await replicaOf(REPLICA_SEEDS);
	results.benchMinutes = Math.round((Date.now() - startedAt) / 6000) / 10;
	fs.mkdirSync(RESULTS_DIR, { recursive: true });
	const keep = !QUICK && !PARTIAL;
	if (keep) fs.writeFileSync(path.join(RESULTS_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
	const report = writeReport(results);
	if (keep) fs.writeFileSync(path.join(RESULTS_DIR, 'results.md'), report);
	console.log(report);
}

/**
 * One n8n and one sandbox per side (A and B run side by side), the package installed from one packed tarball. The
 * latency and memory parts run in side A's, which has every workflow too.
 */
async function startSides() {
	const { tarball } = await packPackage();
	const sides = {};
	try {
		for (const side of ['A', 'B']) sides[side] = await startSide(tarball);
	} finally {
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	}
	return sides;
}

async function startSide(tarball) {
	const sandbox = await startSandbox({ modelDurationsMs: sandboxDurations(), durationSpread: mix.durationSpread, seed: SEEDS[0] });
	const env = await createN8nEnv({ env: { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' } });
	const close = async () => {
		await env.cleanup();
		await sandbox.close();
	};
	try {
		await packAndInstall(env.userFolder, { tarball });
		await env.importCredentials([
			{ id: APERTIS.apertisApi.id, name: APERTIS.apertisApi.name, type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } },
			{ id: HEADER_AUTH.httpHeaderAuth.id, name: HEADER_AUTH.httpHeaderAuth.name, type: 'httpHeaderAuth', data: { name: 'Authorization', value: `Bearer ${sandbox.apiKey}` } },
		]);
		await env.importWorkflows(benchWorkflows(sandbox.url));
	} catch (error) {
		await close();
		throw error;
	}
	return { env, sandbox, close };
}

/** The seeded parts in real n8n at one seed: the batches (both sides at once), then each side under the rate limit. */
async function realRunsAt(seed, sides, results) {
	const running = SIDES.map((side) => sides[side]);
	for (const { sandbox } of running) sandbox.configure({ seed });
	if (PARTS.includes('batches')) {
		for (const n of SIZES) {
			const pairs = await Promise.all(SIDES.map((side) => coldThenWarm(sides[side].env, sides[side].sandbox, side, n, seed)));
			results.batches.push(...pairs.flat().map((row) => ({ seed, ...row })));
		}
	}
	if (PARTS.includes('limit')) {
		for (const side of SIDES) {
			const { env, sandbox } = sides[side];
			sandbox.configure({ requestsPerSecond: RATE_LIMIT_RPS });
			results.rateLimit.push({ seed, ...(await twoAtOnce(env, sandbox, side)) });
			sandbox.configure({ requestsPerSecond: 0 });
		}
	}
}

/** The replica's batches at `seeds` (built by scripts/bench.sh), both sides, cold and warm, every size. */
async function replicaOf(seeds) {
	const { replicaSweep } = require(REPLICA);
	return { seeds, rows: await replicaSweep(seeds, SIZES, SCALE) };
}

/** Every batch's workflows: cold + warm per side and N, and the two executions at once per side. */
function benchWorkflows(baseUrl) {
	const make = (side, id, rows) => (side === 'A' ? sideA(id, id, rows) : sideB(id, id, rows, baseUrl));
	const workflows = [];
	for (const n of SIZES) {
		for (const side of ['A', 'B']) for (const run of ['cold', 'warm']) workflows.push(make(side, idOf(side, n, run), rowsOf(n)));
	}
	for (const side of ['A', 'B']) for (const run of ['one', 'two']) workflows.push(make(side, idOf(side, CONCURRENT_N, run), rowsOf(CONCURRENT_N)));
	workflows.push(createOnlyA(LATENCY_IDS.createA, rowsOf(LATENCY_N)), createOnlyA(LATENCY_IDS.createA1, rowsOf(LATENCY_N), 1), createOnlyB(LATENCY_IDS.createB, rowsOf(LATENCY_N), baseUrl));
	workflows.push(make('A', LATENCY_IDS.batchA, rowsOf(LATENCY_N)), make('B', LATENCY_IDS.batchB, rowsOf(LATENCY_N)), make('A', LATENCY_IDS.limited, rowsOf(LATENCY_LIMITED_N)));
	// Every Sora item equally long ([duration:N]): side by side, the wall time is then one item's plus what it costs.
	const soraRows = (n) => Array.from({ length: n }, (_, i) => ({ prompt: `Bench Sora scene ${i} [duration:${SORA_MS / 1000}]` }));
	workflows.push(soraA(LATENCY_IDS.sora1, soraRows(1)), soraA(LATENCY_IDS.soraMany, soraRows(SORA_ITEMS)));
	return workflows;
}

/** Workflow ids of the latency part (n8n execute-batch takes only ids with a digit in them). */
const LATENCY_IDS = {
	createA: 'benchLatCreateA1',
	createA1: 'benchLatCreateA2',
	createB: 'benchLatCreateB1',
	batchA: 'benchLatBatchA01',
	batchB: 'benchLatBatchB01',
	limited: 'benchLatLimitA01',
	sora1: 'benchLatSora0001',
	soraMany: 'benchLatSora0005',
};

/** Everything at LATENCY_MS a request: what a real API's round trip costs each side. */
async function atApiLatency(env, sandbox) {
	sandbox.configure({ latencyMs: LATENCY_MS, modelDurationsMs: { ...sandboxDurations(), 'sora-2': SORA_MS } });
	try {
		const creates = [];
		for (const [label, id] of [['A', LATENCY_IDS.createA], ['A, concurrency 1', LATENCY_IDS.createA1], ['B', LATENCY_IDS.createB]]) {
			creates.push({ label, ...(await createSpan(env, sandbox, id)) });
		}
		const batches = [];
		for (const side of SIDES) batches.push(await oneExecution(env, sandbox, side, side === 'A' ? LATENCY_IDS.batchA : LATENCY_IDS.batchB, LATENCY_N));
		const sora = { one: await oneExecution(env, sandbox, 'A', LATENCY_IDS.sora1, 1), many: await oneExecution(env, sandbox, 'A', LATENCY_IDS.soraMany, SORA_ITEMS) };
		sandbox.configure({ requestsPerSecond: RATE_LIMIT_RPS });
		const limited = await oneExecution(env, sandbox, 'A', LATENCY_IDS.limited, LATENCY_LIMITED_N);
		return { latencyMs: LATENCY_MS, n: LATENCY_N, limit: RATE_LIMIT_RPS, creates, batches, sora, limited };
	} finally {
		sandbox.configure({ latencyMs: 0, requestsPerSecond: 0 });
	}
}

function sandboxDurations() {
	return Object.fromEntries(Object.entries(MODEL_DURATIONS_MS).map(([model, ms]) => [model, ms * SCALE]));
}

/** One create-only execution: from the first create's arrival to the last task's creation, and the most in flight. */
async function createSpan(env, sandbox, id) {
	sandbox.reset();
	console.log(`bench: ${id}: ${LATENCY_N} creates at ${LATENCY_MS} ms a request…`);
	const batch = await env.executeBatch([id], { timeoutMs: 10 * 60_000 });
	const creates = sandbox.requests().filter((r) => r.path === '/v1/video/create');
	const tasks = sandbox.tasks();
	const first = Math.min(...creates.map((r) => r.at));
	const inFlight = Math.max(...creates.map((r) => creates.filter((o) => o.at >= r.at && o.at < r.at + LATENCY_MS).length));
	return { ok: Boolean(batch.snapshots[id]), created: tasks.length, spanS: (Math.max(...tasks.map((t) => t.createdAt)) - first) / 1000, inFlight };
}

/** One execution alone, cold (a new n8n process): its items and what the sandbox saw. */
async function oneExecution(env, sandbox, side, id, n) {
	sandbox.reset();
	console.log(`bench: ${id}: side ${side}, ${n} item(s) at ${LATENCY_MS} ms a request…`);
	const batch = await env.executeBatch([id], { timeoutMs: 30 * 60_000 });
	dump(sandbox, id);
	const figures = executionFigures(sandbox, batch, id, side, n);
	if (id === LATENCY_IDS.sora1 || id === LATENCY_IDS.soraMany) {
		const items = batch.snapshots[id]?.data?.resultData?.runData?.['Sora Chat Stream']?.[0]?.data?.main?.[0] ?? [];
		figures.completed = items.filter((item) => item.json.status === 'completed').length;
		figures.failedItems = n - figures.completed;
	}
	return { id, ...figures };
}

/** One side's N, twice in one n8n process: the first run is cold, the second finds what the first learned. */
async function coldThenWarm(env, sandbox, side, n, seed) {
	sandbox.reset();
	console.log(`bench: seed ${seed}, side ${side}, ${n} tasks, cold then warm in one n8n process…`);
	const ids = ['cold', 'warm'].map((run) => idOf(side, n, run));
	const batch = await env.executeBatch(ids, { timeoutMs: 30 * 60_000 });
	dump(sandbox, `${side}${n}-seed${seed}`);
	return ids.map((id, i) => ({ run: i === 0 ? 'cold' : 'warm', ...executionFigures(sandbox, batch, id, side, n) }));
}

/** Two executions of one side at once in one n8n process, 100 tasks each, under the sandbox's rate limit. */
async function twoAtOnce(env, sandbox, side) {
	sandbox.reset();
	console.log(`bench: side ${side}, two executions of ${CONCURRENT_N} tasks at once, ${RATE_LIMIT_RPS} requests/s limit…`);
	const ids = ['one', 'two'].map((run) => idOf(side, CONCURRENT_N, run));
	const from = Date.now();
	const batch = await env.executeBatch(ids, { timeoutMs: 30 * 60_000, concurrency: 2 });
	dump(sandbox, `${side}-limit-seed${sandbox.config().seed}`);
	const executions = ids.map((id) => executionFigures(sandbox, batch, id, side, CONCURRENT_N));
	const to = Math.max(...executions.map((e) => e.stoppedAt ?? Date.now()));
	const all = windowFigures(sandbox, from, to);
	const completed = executions.reduce((sum, e) => sum + e.completed, 0);
	const errors = executions.map((e) => e.error).filter(Boolean);
	return { side, n: 2 * CONCURRENT_N, executions: executions.length, limit: RATE_LIMIT_RPS, ok: executions.every((e) => e.ok), error: errors[0] ?? null, completed, failedItems: 2 * CONCURRENT_N - completed, ...all };
}

/** With --dump=DIR, the sandbox's request log and task timelines of a batch, for a closer look. */
function dump(sandbox, name) {
	if (!ARG.dump) return;
	fs.mkdirSync(ARG.dump, { recursive: true });
	fs.writeFileSync(path.join(ARG.dump, `${name}.json`), JSON.stringify({ requests: sandbox.requests(), tasks: sandbox.tasks() }));
}

/** One execution of an execute-batch: its items, and what the sandbox saw while it ran. */
function executionFigures(sandbox, batch, id, side, n) {
	const snapshot = batch.snapshots[id];
	const summary = batch.summary?.executions?.find((e) => e.workflowId === id);
	if (!snapshot) {
		const error = summary?.error ?? `no execution data (execute-batch exit ${batch.code})`;
		return { side, n, ok: false, error, completed: 0, failedItems: n, stoppedAt: null, ...windowFigures(sandbox, 0, Date.now()) };
	}
	const runData = snapshot.data.resultData.runData;
	const from = Date.parse(snapshot.startedAt);
	const stoppedAt = Date.parse(snapshot.stoppedAt);
	const completed = side === 'A' ? (runData['Wait Until Done']?.[0]?.data?.main?.[0] ?? []).length : countFinished(runData, 'completed');
	const createMs = runData[side === 'A' ? 'Video Create' : 'Create']?.[0]?.executionTime;
	const error = snapshot.data.resultData.error?.message ?? null;
	return { side, n, ok: !error, error, completed, failedItems: n - completed, createMsPerItem: createMs ? createMs / n : null, stoppedAt, ...windowFigures(sandbox, from, stoppedAt) };
}

/** Side B's items that left the loop with the given status (each item's last pass through Finished). */
function countFinished(runData, status) {
	return (runData.Finished ?? []).flatMap((r) => r.data?.main?.[0] ?? []).filter((item) => item.json.status === status).length;
}

/** Peak RSS of `n8n execute` running the same download node for each video size, a few times each, interleaved. */
async function measureDownloads(env, sandbox) {
	sandbox.reset();
	const created = await fetch(`${sandbox.url}/v1/video/create`, {
		method: 'POST',
		headers: { authorization: `Bearer ${sandbox.apiKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'veo2', prompt: 'Big video [duration:0]' }),
	}).then((r) => r.json());
	const task = await fetch(`${sandbox.url}/v1/video/query?id=${encodeURIComponent(created.id)}`, { headers: { authorization: `Bearer ${sandbox.apiKey}` } }).then((r) => r.json());
	await env.importWorkflows([download('benchDownload01', task)]);
	const all = await measureSizes(env, sandbox, VIDEO_SIZES);
	const [base, big] = all.sizes.slice(-2);
	const young = await measureSizes(env, sandbox, [base.bytes, big.bytes], SMALL_YOUNG_GENERATION);
	const smallYoungGeneration = { nodeOptions: SMALL_YOUNG_GENERATION, ...young };
	return { ...all, smallYoungGeneration };
}

/** Peak RSS of the download for each video size, MEMORY_REPEATS times in turn; the biggest's extra over the next. */
async function measureSizes(env, sandbox, videoSizes, nodeOptions) {
	const runs = [];
	for (let repeat = 0; repeat < MEMORY_REPEATS; repeat++) {
		for (const bytes of videoSizes) {
			sandbox.configure({ videoBytes: bytes });
			console.log(`bench: ${bytes / MIB} MB download${nodeOptions ? `, ${nodeOptions}` : ''} (${repeat + 1} of ${MEMORY_REPEATS})…`);
			runs.push({ bytes, ...(await peakRssOf(env, 'benchDownload01', nodeOptions)) });
		}
	}
	const sizes = videoSizes.map((bytes) => summarize(bytes, runs));
	const [base, big] = sizes.slice(-2);
	return { sizes, extraBytes: big.medianPeak - base.medianPeak };
}

/** The runs of one video size: each peak, their median, and whether every run stored the whole video. */
function summarize(bytes, runs) {
	const mine = runs.filter((r) => r.bytes === bytes);
	return { bytes, peaks: mine.map((r) => r.peak), medianPeak: median(mine.map((r) => r.peak)), ok: mine.every((r) => r.ok && r.fileSize === bytes) };
}

async function peakRssOf(env, workflowId, nodeOptions) {
	const [port, brokerPort] = await freePorts(2);
	const processEnv = { ...env.processEnv(port, brokerPort), ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) };
	const proc = startProcess(NODE_BIN, [N8N_BIN, 'execute', `--id=${workflowId}`], { cwd: env.userFolder, env: processEnv });
	const sampler = samplePeakRss(proc.child.pid);
	await proc.exited;
	const peak = sampler.stop();
	const execution = parseExecutionOutput(proc.output());
	const binary = execution?.data?.resultData?.runData?.Download?.[0]?.data?.main?.[0]?.[0]?.binary;
	return { peak, ok: !execution?.data?.resultData?.error, fileSize: binary ? (Object.values(binary)[0]?.bytes ?? null) : null };
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
