import { finalStateOf } from '../taskStatus';
import type { PlanMode } from './plan';
import type { ProgressSample } from './schedule';
import type { PollSnapshot, PollTarget } from './types';

/** What the poller knows about one task. Times are on the poller's clock (epoch ms in n8n). */
export interface Task {
	target: PollTarget;
	index: number;
	/** When waiting for it began: its time-out counts from here. */
	startedAt: number;
	deadline: number;
	polls: number;
	/** Checks that came back (an answer or an error): a task is never timed out before its first. */
	answers: number;
	/** Whether a check of it is on the wire. */
	checking: boolean;
	errors: number;
	lastError?: string;
	last?: PollSnapshot;
	samples: ProgressSample[];
	settled: boolean;
	/** When its next check is due; a queue entry for another time is stale. */
	dueAt: number;
	/** When its last check started. */
	lastPollAt?: number;
	/** The last check that found it running (its answer's arrival). */
	seenRunningAt?: number;
	/** When it was created, when the API or the input said so. */
	createdAt?: number;
	/** When it left the queue and started generating, when the API said so. */
	generatingSince?: number;
	/** What the schedule last planned for it. */
	mode: PlanMode;
}

/** Statuses of a task still queued (not yet generating). The API document names `pending`; others are alike. */
const QUEUED = /^(pending|queued|submitted|waiting|not[_ ]?start(ed)?)$/i;

/** The API's timestamps are seconds apart at best: one this far off our clock still counts. */
const CLOCK_SLACK_MS = 1000;

export function newTask(
	target: PollTarget,
	index: number,
	startedAt: number,
	deadline: number,
): Task {
	return {
		target,
		index,
		startedAt,
		deadline,
		polls: 0,
		answers: 0,
		checking: false,
		errors: 0,
		samples: [],
		settled: false,
		dueAt: Infinity,
		createdAt: target.createdAtMs,
		mode: 'early',
	};
}

/** Reads the creation and generation start from a snapshot (status_update_time of a queued / running status). */
export function observeTimeline(task: Task, snapshot: PollSnapshot, now: number): void {
	const plausible = (at: number | undefined) =>
		at !== undefined && Number.isFinite(at) && at <= now + CLOCK_SLACK_MS ? at : undefined;
	task.createdAt ??= plausible(snapshot.createdAtMs);
	const since = plausible(snapshot.statusSinceMs);
	if (since === undefined) return;
	const status = String(snapshot.status ?? '');
	if (QUEUED.test(status)) task.createdAt ??= since;
	else if (!isFinal(status)) task.generatingSince ??= since;
}

/**
 * The earliest time the task is known to have existed: its creation, else the earlier of its generation start and
 * the start of waiting (a task handed over by a create node began before the wait did).
 */
export function bornBy(task: Task): number {
	return task.createdAt ?? Math.min(task.startedAt, task.generatingSince ?? Infinity);
}

/**
 * Whether the task may be timed out at `now`: its deadline has passed and it has been looked at since (a pass that
 * starts after the deadline, e.g. a late hand-off pass, checks each task once: a task that finished meanwhile must
 * leave as completed, not as timed out).
 */
export function mayTimeOut(task: Task, now: number): boolean {
	return !task.settled && task.deadline <= now && task.answers > 0 && !task.checking;
}

export function isFinal(status: string): boolean {
	return finalStateOf(status) !== 'running';
}

/**
 * When a task that was just seen done finished: the API's status_update_time when it falls between the last
 * check that saw it running and now, else the middle of that interval.
 */
export function finishedAt(task: Task, snapshot: PollSnapshot, now: number): number {
	const runningAt = task.seenRunningAt ?? task.createdAt ?? task.startedAt;
	const since = snapshot.statusSinceMs;
	if (since !== undefined && since >= runningAt - CLOCK_SLACK_MS && since <= now + CLOCK_SLACK_MS) {
		return Math.min(since, now);
	}
	return (runningAt + now) / 2;
}
