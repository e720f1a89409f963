import type { AdaptivePace } from '../pacing/adaptivePace';
import type { LearnedDurations } from './learnedDurations';

/** One task to wait for. `key` is the caller's handle (e.g. the item index); `model` groups tasks for the schedule. */
export interface PollTarget {
	key: string | number;
	taskId: string;
	model?: string;
	/**
	 * When waiting for this task began, if before this run (a task handed off by an earlier pass): its time-out and
	 * its schedule count from there. Default: the run's start.
	 */
	waitingSinceMs?: number;
	/** When the task was created (epoch ms), if known: its learned duration counts from here. */
	createdAtMs?: number;
}

/** What one status request returned. `progress` is a percentage (0–100) when the API reports one. */
export interface PollSnapshot {
	status: string;
	progress?: number;
	/** Since when the task has had this status (the API's status_update_time), epoch ms. */
	statusSinceMs?: number;
	/** When the task was created (the API's created_at), epoch ms. */
	createdAtMs?: number;
	raw: Record<string, unknown>;
}

/**
 * How the poller treats a failed status request:
 * 'retry' (5xx, network) → poll that task again later with backoff, never fail it before its timeout;
 * 'fatal' (404, 401) → that task fails; `{ retryAfterMs }` (429) → every request pauses that long.
 */
export type ErrorVerdict = 'retry' | 'fatal' | { retryAfterMs: number };

export interface PollOutcome {
	key: string | number;
	taskId: string;
	/** `stillRunning`: not finished when the run handed off (`handOffAfterMs`); to be waited for again later. */
	outcome: 'completed' | 'failed' | 'timedOut' | 'stillRunning';
	/** Last snapshot seen. */
	last?: PollSnapshot;
	/** Why it failed or timed out; human readable and includes the task id. */
	error?: string;
	polls: number;
	/** Since waiting for the task began (its `waitingSinceMs`, else the run's start). */
	elapsedMs: number;
	/** stillRunning only: when the schedule expects the task to finish (epoch ms), if it has an estimate. */
	expectedFinishAtMs?: number;
	/** stillRunning only: when its time-out falls (epoch ms); the next pass must look before then. */
	deadlineMs?: number;
	/** stillRunning only: when the task was created, if known (epoch ms), so the next pass learns whole durations. */
	createdAtMs?: number;
}

export interface PollClock {
	now(): number;
	/** Resolves true when the full time passed, false when the signal cut it short. */
	sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
}

export interface PollOptions {
	/** ONE attempt at reading a task's status; may throw. */
	fetchStatus(target: PollTarget): Promise<PollSnapshot>;
	classifyError(error: unknown): ErrorVerdict;
	/** Upper bound between two polls of one task. */
	pollIntervalMs: number;
	/** Lower bound between two polls of one task (default 1000). */
	minIntervalMs?: number;
	/** A task not finished this long after waiting for it began ends as 'timedOut'. */
	timeoutMs: number;
	/**
	 * Durable hand-off: this long after the run's start, every task still running ends as 'stillRunning' (with its
	 * expected finish), so the caller can park the wait elsewhere. Default: never.
	 */
	handOffAfterMs?: number;
	/** A ceiling on this run's request starts per second (0 or absent: none; the shared pace adapts). */
	requestsPerSecond?: number;
	/**
	 * The pace shared with every other request sent with the same API key (pacing/perKey.ts). The poller books its
	 * slots and reports each answer to it. Default: a pace of this run's own.
	 */
	pace?: AdaptivePace;
	/** Durations learned per model, shared across runs with the same key. Default: this run's own. */
	durations?: LearnedDurations;
	/** Default 8. */
	maxConcurrentRequests?: number;
	/** Execution cancel: pollUntilDone rejects with PollAborted at once. */
	signal?: AbortSignal;
	/** Called as each task settles. */
	onOutcome?(outcome: PollOutcome): void;
	/** Injectable for tests; defaults to Date.now and cancellableSleep. */
	clock?: PollClock;
}
