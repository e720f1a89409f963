import type { PollSnapshot, PollTarget } from '../../../../../nodes/shared/poller/types';
import type { VirtualClock } from './virtualClock';

export interface SimTask {
	taskId: string;
	durationMs: number;
	model?: string;
	/** Status once done; default 'completed'. */
	end?: 'completed' | 'failed';
	endRaw?: Record<string, unknown>;
	/** Report progress (whole percent, linear in time); default true. */
	progress?: boolean;
	/** Never finishes. */
	forever?: boolean;
	/** How long it stays queued before it generates; default 3000 ms. */
	queuedMs?: number;
	/** When it was created (virtual ms; before the run's start when negative); default 0. Durations count from here. */
	createdAtMs?: number;
}

export interface RequestLog {
	taskId: string;
	startAt: number;
	endAt?: number;
	/** Index in the order of all requests, from 1. */
	n: number;
	threw?: unknown;
}

/** A fake Apertis task API in virtual time: each request takes `latencyMs`, tasks run for fixed durations. */
export class SimulatedApi {
	readonly requests: RequestLog[] = [];
	private inFlight = 0;
	maxInFlight = 0;
	private readonly byId: Map<string, SimTask>;

	constructor(
		private readonly clock: VirtualClock,
		readonly tasks: SimTask[],
		private readonly opts: { latencyMs?: number; failRequest?: (log: RequestLog) => unknown } = {},
	) {
		this.byId = new Map(tasks.map((t) => [t.taskId, t]));
	}

	targets(): PollTarget[] {
		return this.tasks.map((t, i) => ({ key: i, taskId: t.taskId, model: t.model }));
	}

	fetchStatus = async (target: PollTarget): Promise<PollSnapshot> => {
		const log: RequestLog = { taskId: target.taskId, startAt: this.clock.now(), n: this.requests.length + 1 };
		this.requests.push(log);
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		try {
			await this.clock.sleep(this.opts.latencyMs ?? 50);
			const failure = this.opts.failRequest?.(log);
			if (failure !== undefined) {
				log.threw = failure;
				throw failure;
			}
			return this.statusAt(target.taskId, this.clock.now());
		} finally {
			this.inFlight--;
			log.endAt = this.clock.now();
		}
	};

	statusAt(taskId: string, now: number): PollSnapshot {
		const task = this.byId.get(taskId);
		if (!task) throw Object.assign(new Error(`Task ${taskId} not found`), { httpCode: '404' });
		const createdAt = task.createdAtMs ?? 0;
		const t = now - createdAt;
		const queuedFor = task.queuedMs ?? 3000;
		if (task.forever || t < task.durationMs) {
			const queued = t < queuedFor;
			const status = queued ? 'queued' : 'processing';
			// status_update_time: when the task entered its current status.
			const statusSinceMs = createdAt + (queued ? 0 : queuedFor);
			if (task.progress === false) return { status, statusSinceMs, raw: { status, task_id: taskId } };
			const progress = task.forever ? 50 : Math.floor((100 * t) / task.durationMs);
			return { status, progress, statusSinceMs, raw: { status, progress, task_id: taskId } };
		}
		const status = task.end ?? 'completed';
		const statusSinceMs = createdAt + task.durationMs;
		return { status, progress: 100, statusSinceMs, raw: { status, task_id: taskId, ...task.endRaw } };
	}

	pollsOf(taskId: string): number {
		return this.requests.filter((r) => r.taskId === taskId).length;
	}
}

/**
 * An account's rate limit, shared by every SimulatedApi built with it (one API key): more than `perSecond` requests
 * arriving within one second answer 429 with a Retry-After, as the sandbox does. Pass `check` as `failRequest`.
 */
export class RateLimit {
	readonly rejectedAt: number[] = [];
	private accepted: number[] = [];

	constructor(
		private readonly clock: VirtualClock,
		readonly perSecond: number,
		readonly retryAfterMs = 1000,
	) {}

	check = (): unknown => {
		const now = this.clock.now();
		this.accepted = this.accepted.filter((at) => now - at < 1000);
		if (this.accepted.length >= this.perSecond) {
			this.rejectedAt.push(now);
			return Object.assign(new Error('Too Many Requests'), { httpCode: 429, retryAfterMs: this.retryAfterMs });
		}
		this.accepted.push(now);
		return undefined;
	};
}

/** Polls a fixed every-10-s schedule would need: one at 10 s, 20 s, … until the first one at or after the finish. */
export function fixedScheduleRequests(durationsMs: number[], intervalMs = 10_000): number {
	return durationsMs.reduce((sum, d) => sum + Math.max(1, Math.ceil(d / intervalMs)), 0);
}

export function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Deterministic pseudo-random numbers (mulberry32), so the spread durations are the same every run. */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
