import type { AdaptivePace } from '../pacing/adaptivePace';
import type { LearnedDurations } from './learnedDurations';

/** One task to wait for. `key` is the caller's handle (e.g. the item index); `model` groups tasks for the schedule. */
export interface PollTarget {
	key: string | number;
	taskId: string;
	model?: string;
	/** When waiting for it began, if before this run (an earlier pass): its time-out counts from here. */
	waitingSinceMs?: number;
	/** When the task was created (epoch ms), if known: its learned duration counts from here. */
	createdAtMs?: number;
}

/** One status answer: `progress` in percent, `statusSinceMs` the API's status_update_time, `createdAtMs` its created_at. */
export interface PollSnapshot {
	status: string;
	progress?: number;
	statusSinceMs?: number;
	createdAtMs?: number;
	raw: Record<string, unknown>;
}

/**
 * A failed status request: 'retry' (5xx, network): again later with backoff, never failing the task before its
 * time-out; 'fatal' (404, 401): the task fails; `{ retryAfterMs }` (429): every request with the key pauses.
 */
export type ErrorVerdict = 'retry' | 'fatal' | { retryAfterMs: number };

export interface PollOutcome {
	key: string | number;
	taskId: string;
	/** `stillRunning`: not finished when the run handed off (`handOffAfterMs`), to be waited for again later. */
	outcome: 'completed' | 'failed' | 'timedOut' | 'stillRunning';
	last?: PollSnapshot;
	/** Why it failed or timed out, naming the task. */
	error?: string;
	polls: number;
	/** Since waiting for the task began. */
	elapsedMs: number;
	/** stillRunning only: when the schedule expects it to finish, if it has an estimate (epoch ms)… */
	expectedFinishAtMs?: number;
	/** …when it times out (the next pass must look before then), and when it was created, if known. */
	deadlineMs?: number;
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
	/** The longest gap between two checks of one task (the Poll Interval). */
	pollIntervalMs: number;
	/** The least gap between two checks of one task (default 1 s). */
	minIntervalMs?: number;
	/** A task not finished this long after waiting for it began ends as 'timedOut'. */
	timeoutMs: number;
	/** This long after the run's start, every task still running ends as 'stillRunning'. Default: never. */
	handOffAfterMs?: number;
	/** The user's ceiling on this run's request starts per second (0 or absent: none). */
	requestsPerSecond?: number;
	/** The pace of the API key, shared with its other requests (pacing/perKey.ts). Default: the run's own. */
	pace?: AdaptivePace;
	/** Durations learned per model, shared across runs with the same key. Default: the run's own. */
	durations?: LearnedDurations;
	/** Requests in flight at once (default 8). */
	maxConcurrentRequests?: number;
	/** Execution cancel: pollUntilDone rejects with PollAborted at once. */
	signal?: AbortSignal;
	/** Called as each task settles. */
	onOutcome?(outcome: PollOutcome): void;
	/** Injectable for tests; defaults to Date.now and cancellableSleep. */
	clock?: PollClock;
}
