import { finalStateOf } from '../taskStatus';
import type { PollSnapshot, PollTarget } from './types';

/** A progress reading, `atMs` since waiting for the task began. */
export type ProgressSample = { atMs: number; progress: number };
/** What the schedule last planned for a task (schedule.ts). */
export type CheckMode = 'early' | 'progress' | 'waiting' | 'window' | 'blind';

/** What the poller knows about one task. Times are on the poller's clock (epoch ms in n8n). */
export interface Task {
	target: PollTarget;
	index: number;
	/** When waiting for it began: its time-out counts from here. */
	startedAt: number;
	deadline: number;
	/** Checks started; `checking` while one is on the wire (never timed out before its first answer). */
	polls: number;
	checking: boolean;
	/** Consecutive failed checks (for the backoff), the last one's error. */
	errors: number;
	lastError?: string;
	last?: PollSnapshot;
	samples: ProgressSample[];
	settled: boolean;
	/** When its next check is due (Infinity while one is on the wire), and when its last one started. */
	dueAt: number;
	lastPollAt?: number;
	/** The last answer that found it running; its creation and generation start, when the API says. */
	seenRunningAt?: number;
	createdAt?: number;
	generatingSince?: number;
	mode: CheckMode;
}

/** Statuses of a task still queued (not yet generating). The API document names `pending`; others are alike. */
const QUEUED = /^(pending|queued|submitted|waiting|not[_ ]?start(ed)?)$/i;
/** The API's timestamps are whole seconds: one this far off our clock still counts, and nothing is finer. */
export const API_RESOLUTION_MS = 1000;
/** Progress readings kept per task; the progress estimate only needs recent ones. */
const MAX_SAMPLES = 16;

/** A task of a run that began at `runAt`: waited for since then, or since an earlier pass began waiting. */
export function newTask(target: PollTarget, index: number, runAt: number, timeoutMs: number): Task {
	const startedAt = Math.min(target.waitingSinceMs ?? runAt, runAt);
	const deadline = startedAt + Math.max(0, timeoutMs);
	const counts = { polls: 0, errors: 0, dueAt: Infinity, samples: [] };
	const flags = { checking: false, settled: false, mode: 'early' as const };
	return { target, index, startedAt, deadline, ...counts, ...flags, createdAt: target.createdAtMs };
}

/** What an answer says of the task: its status, creation, generation start (status_update_time) and progress. */
export function observe(task: Task, snapshot: PollSnapshot, now: number): void {
	Object.assign(task, { last: snapshot, errors: 0, lastError: undefined });
	const latest = now + API_RESOLUTION_MS;
	const plausible = (at?: number) => (at !== undefined && at <= latest ? at : undefined);
	task.createdAt ??= plausible(snapshot.createdAtMs);
	const since = plausible(snapshot.statusSinceMs);
	const status = String(snapshot.status ?? '');
	const running = finalStateOf(status) === 'running';
	if (since !== undefined && QUEUED.test(status)) task.createdAt ??= since;
	else if (since !== undefined && running) task.generatingSince ??= since;
	if (typeof snapshot.progress !== 'number' || !Number.isFinite(snapshot.progress)) return;
	task.samples.push({ atMs: now - task.startedAt, progress: snapshot.progress });
	if (task.samples.length > MAX_SAMPLES) task.samples.shift();
}

export function startCheck(task: Task, now: number): void {
	task.polls++;
	task.checking = true;
	task.lastPollAt = now;
	task.dueAt = Infinity;
}

/** Its creation, else the earlier of its generation start and the start of waiting (a create node came first). */
export function bornBy(task: Task): number {
	return task.createdAt ?? Math.min(task.startedAt, task.generatingSince ?? Infinity);
}

/**
 * Whether the task may be timed out at `now`: past its deadline and looked at since (a pass that starts after the
 * deadline checks each task once: one that finished meanwhile leaves as completed, not as timed out).
 */
export function mayTimeOut(task: Task, now: number): boolean {
	return !task.settled && task.deadline <= now && task.polls > 0 && !task.checking;
}

/** When a task seen done finished: status_update_time if it falls since it was seen running, else the middle. */
export function finishedAt(task: Task, snapshot: PollSnapshot, now: number): number {
	const runningAt = task.seenRunningAt ?? task.createdAt ?? task.startedAt;
	const [since, slack] = [snapshot.statusSinceMs, API_RESOLUTION_MS];
	if (since !== undefined && since >= runningAt - slack && since <= now + slack)
		return Math.min(since, now);
	return (runningAt + now) / 2;
}
