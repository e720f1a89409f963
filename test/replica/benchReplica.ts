import { AdaptivePace } from '../../nodes/shared/pacing/adaptivePace';
import { LearnedDurations } from '../../nodes/shared/poller/learnedDurations';
import { pollUntilDone } from '../../nodes/shared/poller/pollUntilDone';
import type { PollTarget } from '../../nodes/shared/poller/types';
import mix from '../../scripts/bench/mix.json';
import { SimulatedApi, type SimTask, percentile, seededRandom } from '../unit/nodes/shared/poller/simulation';
import { VirtualClock } from '../unit/nodes/shared/poller/virtualClock';

/**
 * The benchmark's batches (`npm run bench`, scripts/bench/run.js) in virtual time, so that many more seeds can run
 * than real n8n has time for. Side A is the package's poller as Wait Until Done runs it (its defaults, the key's pace,
 * durations learned by the cold run and found by the warm one); side B the hand-built loop, which looks at every task
 * every 10 s. The tasks are the sandbox's at the same seed: the same generator, drawn in the same order (cold, then
 * warm), and answered as its /v1/video/query answers: no progress, status_update_time in whole seconds.
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

/** Side A: the poller at Wait Until Done's defaults; `durations` carries what the cold run learned to the warm one. */
export async function sideA(tasks: SimTask[], durations: LearnedDurations, pollIntervalMs = NODE_DEFAULTS.pollIntervalMs) {
	const clock = new VirtualClock();
	const api = new SimulatedApi(clock, tasks, { latencyMs: LOCAL_ROUND_TRIP_MS });
	const fetchStatus = async (target: PollTarget) => {
		const snapshot = await api.fetchStatus(target);
		const since = snapshot.statusSinceMs;
		return { ...snapshot, statusSinceMs: since === undefined ? undefined : Math.floor(since / API_TIME_RESOLUTION_MS) * API_TIME_RESOLUTION_MS };
	};
	const targets = api.targets().map((target) => ({ ...target, createdAtMs: 0 }));
	const outcomes = await clock.run(
		pollUntilDone(targets, { ...NODE_DEFAULTS, pollIntervalMs, fetchStatus, classifyError: () => 'retry', clock, durations, pace: new AdaptivePace() }),
	);
	const latencies = outcomes.map((o, i) => o.elapsedMs - tasks[i].durationMs);
	const completed = outcomes.filter((o) => o.outcome === 'completed').length;
	return { api, requests: tasks.length + api.requests.length, latencies, endMs: clock.now(), completed };
}

/** Side B: a look at every task 10 s, 20 s, … after the creates, until the first look at or after its finish. */
function sideB(tasks: SimTask[]) {
	const looks = tasks.map((t) => Math.max(1, Math.ceil(t.durationMs / mix.loopIntervalMs)));
	const latencies = tasks.map((t, i) => looks[i] * mix.loopIntervalMs - t.durationMs);
	const requests = tasks.length + looks.reduce((a, b) => a + b, 0);
	return { requests, latencies, endMs: Math.max(...looks) * mix.loopIntervalMs, completed: tasks.length };
}

/** Both sides, cold then warm, at one seed and batch size. */
export async function replicaRuns(seed: number, n: number, scale = 1): Promise<ReplicaRun[]> {
	const tasks = benchTasks(seed, n, scale);
	const durations = new LearnedDurations();
	const rows: ReplicaRun[] = [];
	for (const run of ['cold', 'warm'] as const) {
		const slowestMs = Math.max(...tasks[run].map((t) => t.durationMs));
		const figures = { A: await sideA(tasks[run], durations), B: sideB(tasks[run]) };
		for (const side of ['A', 'B'] as const) {
			const { requests, latencies, endMs, completed } = figures[side];
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
