import { DEFAULT_CONCURRENCY } from '../../nodes/shared/descriptions';
import { mapWithConcurrency } from '../../nodes/shared/mapWithConcurrency';
import { AdaptivePace } from '../../nodes/shared/pacing/adaptivePace';
import { LearnedDurations } from '../../nodes/shared/poller/learnedDurations';
import { pollUntilDone } from '../../nodes/shared/poller/pollUntilDone';
import type { PollTarget } from '../../nodes/shared/poller/types';
import { reportAnswer, waitForSlot } from '../../nodes/shared/transport/apertisRequest';
import { apiTimeMs } from '../../nodes/shared/waiting/waitForTasks';
import mix from '../../scripts/bench/mix.json';
import { SimulatedApi, type SimTask, percentile, seededRandom } from '../unit/nodes/shared/poller/simulation';
import { VirtualClock } from '../unit/nodes/shared/poller/virtualClock';

/**
 * The benchmark's batches (`npm run bench`, scripts/bench/run.js) in virtual time, so that many more seeds can run
 * than real n8n has time for. Side A is the package's poller as Wait Until Done runs it (its defaults, the key's pace,
 * durations learned by the cold run and found by the warm one); side B the hand-built loop, which looks at every task
 * every 10 s. The tasks are the sandbox's at the same seed: the same generator, drawn in the same order (cold, then
 * warm), created as Video Create creates them (Batch Options → Concurrency at a time, in the key's pace), and answered
 * as its /v1/video/query answers: no progress, status_update_time in whole seconds.
 */

/** A figure of one side's run, as the real bench reports it (seconds; requests include the creates). */
export interface ReplicaRun {
	seed: number;
	side: 'A' | 'B';
	n: number;
	run: 'cold' | 'warm';
	requests: number;
	p95S: number;
	afterSlowestS: number;
	completed: number;
}

/** Wait Until Done's defaults (descriptions.ts): Poll Interval 60 s, Timeout 30 min. */
const NODE_DEFAULTS = { pollIntervalMs: 60_000, timeoutMs: 30 * 60_000 };
/** A round trip to the local sandbox through n8n's HTTP helpers: tens of milliseconds. */
const LOCAL_ROUND_TRIP_MS = 20;
/** The sandbox's share of a task spent pending (test/sandbox/tasks.js PENDING_SHARE). */
const PENDING_SHARE = 0.1;
/** The document's status_update_time is in whole seconds. */
const API_TIME_RESOLUTION_MS = 1000;
/** Virtual time 0 as an epoch (ms, a whole second), so that the node's own apiTimeMs reads the replica's timestamps. */
const EPOCH_MS = 1_700_000_000_000;

/** A virtual time as the API's whole-second timestamp, read back as the node reads it. */
const asApiTime = (ms: number) => apiTimeMs(Math.floor((EPOCH_MS + ms) / API_TIME_RESOLUTION_MS))! - EPOCH_MS;

/**
 * The sandbox's tasks at `seed`: `n` rows of the four models in turn, the cold run's first, then the warm run's.
 * `scale` shortens every duration (the quick bench's 0.2).
 */
export function benchTasks(seed: number, n: number, scale = 1): Record<'cold' | 'warm', SimTask[]> {
	const random = seededRandom(seed);
	const models = Object.entries(mix.modelDurationsMs);
	const draw = (run: string) =>
		Array.from({ length: n }, (_, i): SimTask => {
			const [model, typicalMs] = models[i % models.length];
			const durationMs = Math.max(0, Math.round(scale * typicalMs * (1 + mix.durationSpread * (2 * random() - 1))));
			return { taskId: `${run}-${i}`, model, durationMs, progress: false, queuedMs: durationMs * PENDING_SHARE };
		});
	const cold = draw('cold');
	return { cold, warm: draw('warm') };
}

/** Video Create's creates: Batch Options → Concurrency at a time, each in the key's pace, each task created on arrival. */
async function createAll(tasks: SimTask[], clock: VirtualClock, pace: AdaptivePace): Promise<void> {
	await mapWithConcurrency(tasks, DEFAULT_CONCURRENCY, async (task) => {
		const ticket = (await waitForSlot(pace, clock))!;
		await clock.sleep(LOCAL_ROUND_TRIP_MS / 2);
		task.createdAtMs = clock.now();
		await clock.sleep(LOCAL_ROUND_TRIP_MS / 2);
		reportAnswer(pace, ticket, clock.now(), { status: 200 });
	});
}

/**
 * Side A: the tasks created, then waited for at Wait Until Done's defaults. `durations` and `pace` are the API key's
 * in the n8n process: the warm run finds what the cold one learned.
 */
export async function sideA(tasks: SimTask[], durations: LearnedDurations, { pollIntervalMs = NODE_DEFAULTS.pollIntervalMs, pace = new AdaptivePace() } = {}) {
	const clock = new VirtualClock();
	const api = new SimulatedApi(clock, tasks, { latencyMs: LOCAL_ROUND_TRIP_MS });
	const fetchStatus = async (target: PollTarget) => {
		const snapshot = await api.fetchStatus(target);
		const since = snapshot.statusSinceMs;
		return { ...snapshot, statusSinceMs: since === undefined ? undefined : asApiTime(since) };
	};
	await clock.run(createAll(tasks, clock, pace));
	const pollFrom = clock.now();
	// Video Create's output: a pending task's status_update_time is its creation.
	const targets = api.targets().map((target, i) => ({ ...target, createdAtMs: asApiTime(tasks[i].createdAtMs!) }));
	const outcomes = await clock.run(
		pollUntilDone(targets, { ...NODE_DEFAULTS, pollIntervalMs, fetchStatus, classifyError: () => 'retry', clock, durations, pace }),
	);
	const finishes = tasks.map((t) => t.createdAtMs! + t.durationMs);
	const latencies = outcomes.map((o, i) => pollFrom + o.elapsedMs - finishes[i]);
	const completed = outcomes.filter((o) => o.outcome === 'completed').length;
	return { api, requests: tasks.length + api.requests.length, latencies, endMs: clock.now(), slowestMs: Math.max(...finishes), completed };
}

/** Side B: a look at every task 10 s, 20 s, … after the creates, until the first look at or after its finish. */
function sideB(tasks: SimTask[]) {
	const looks = tasks.map((t) => Math.max(1, Math.ceil(t.durationMs / mix.loopIntervalMs)));
	const latencies = tasks.map((t, i) => looks[i] * mix.loopIntervalMs - t.durationMs);
	const requests = tasks.length + looks.reduce((a, b) => a + b, 0);
	return { requests, latencies, endMs: Math.max(...looks) * mix.loopIntervalMs, slowestMs: Math.max(...tasks.map((t) => t.durationMs)), completed: tasks.length };
}

/** Both sides, cold then warm, at one seed and batch size. */
export async function replicaRuns(seed: number, n: number, scale = 1): Promise<ReplicaRun[]> {
	const tasks = benchTasks(seed, n, scale);
	const [durations, pace] = [new LearnedDurations(), new AdaptivePace()];
	const rows: ReplicaRun[] = [];
	for (const run of ['cold', 'warm'] as const) {
		const figures = { A: await sideA(tasks[run], durations, { pace }), B: sideB(tasks[run]) };
		for (const side of ['A', 'B'] as const) {
			const { requests, latencies, endMs, slowestMs, completed } = figures[side];
			rows.push({ seed, side, n, run, requests, completed, p95S: percentile(latencies, 95) / 1000, afterSlowestS: (endMs - slowestMs) / 1000 });
		}
	}
	return rows;
}

/** Every seed at every batch size of the bench. */
export async function replicaSweep(seeds: number[], sizes: number[] = mix.sizes, scale = 1): Promise<ReplicaRun[]> {
	const rows: ReplicaRun[] = [];
	for (const seed of seeds) for (const n of sizes) rows.push(...(await replicaRuns(seed, n, scale)));
	return rows;
}
