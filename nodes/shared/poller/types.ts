import type { AdaptivePace } from '../pacing/adaptivePace';
import type { LearnedDurations } from './learnedDurations';

/** A task to wait for. `key`: the caller's handle; `model` groups tasks for the schedule. */
export interface PollTarget {
	key: string | number;
	taskId: string;
	model?: string;
	/** When waiting for it began, if an earlier pass did (its time-out counts from here), and its creation (epoch ms). */
	waitingSinceMs?: number;
	createdAtMs?: number;
}

/** A status answer: `progress` in percent, `statusSinceMs` the API's status_update_time, `createdAtMs` created_at. */
export interface PollSnapshot {
	status: string;
	progress?: number;
	statusSinceMs?: number;
	createdAtMs?: number;
	raw: Record<string, unknown>;
}

/** A failed check: 'retry' (5xx, network), later with backoff; 'fatal' (404, 401) fails it; a 429 pauses the key. */
export type ErrorVerdict = 'retry' | 'fatal' | { retryAfterMs: number };

export interface PollOutcome {
	key: string | number;
	taskId: string;
	/** `stillRunning`: not finished at the hand-off (`handOffAfterMs`), to be waited for again later. */
	outcome: 'completed' | 'failed' | 'timedOut' | 'stillRunning';
	last?: PollSnapshot;
	/** Why it failed or timed out, naming the task. */
	error?: string;
	polls: number;
	elapsedMs: number;
	/** stillRunning only: its expected finish (if estimated), time-out and creation (if known), epoch ms. */
	expectedFinishAtMs?: number;
	deadlineMs?: number;
	createdAtMs?: number;
}

/** `sleep` resolves true when the full time passed, false when the signal cut it short. */
export type PollClock = {
	now(): number;
	sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
};

export interface PollOptions {
	/** ONE attempt at reading a task's status; may throw. */
	fetchStatus(target: PollTarget): Promise<PollSnapshot>;
	classifyError(error: unknown): ErrorVerdict;
	/** The longest gap between two checks of a task (the Poll Interval); the least is the API's resolution, 1 s. */
	pollIntervalMs: number;
	timeoutMs: number;
	/** This long after the start, every task still running leaves as 'stillRunning'. Default: never. */
	handOffAfterMs?: number;
	/** The user's ceiling on this run's request starts per second (0 or absent: none). */
	requestsPerSecond?: number;
	/** The API key's pace and learned durations (shared per key in the process). Default: the run's own. */
	pace?: AdaptivePace;
	durations?: LearnedDurations;
	/** Requests in flight at once (default 8). */
	maxConcurrentRequests?: number;
	/** Execution cancel: rejects with PollAborted at once. */
	signal?: AbortSignal;
	onOutcome?(outcome: PollOutcome): void;
	/** For tests; default Date.now and cancellableSleep. */
	clock?: PollClock;
}
