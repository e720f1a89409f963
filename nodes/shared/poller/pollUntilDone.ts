import { onAbort } from '../abort';
import type { PaceTicket } from '../pacing/adaptivePace';
import { cancellableSleep } from '../sleep';
import { finalStateOf } from '../taskStatus';
import { LearnedDurations } from './learnedDurations';
import { messageOf } from '../errors';
import { failureMessage, namingTask, timeoutMessage } from './messages';
import { RunPlanner } from './planner';
import { checkAt, retryDelay, type Bounds } from './schedule';
import { RequestSlots } from './slots';
import { API_RESOLUTION_MS, finishedAt, mayTimeOut, newTask, observe } from './taskState';
import { startCheck, type Task } from './taskState';
import type { PollClock, PollOptions, PollOutcome, PollSnapshot, PollTarget } from './types';

/** Thrown when the execution is cancelled; `pending` holds every task not yet settled, so no id is lost. */
export class PollAborted extends Error {
	constructor(readonly pending: PollTarget[]) {
		const shown = pending.slice(0, 10).map((t) => t.taskId);
		const more = pending.length > shown.length ? ` and ${pending.length - shown.length} more` : '';
		super(`Polling stopped with ${pending.length} task(s) unfinished: ${shown.join(', ')}${more}`);
		this.name = 'PollAborted';
	}
}

type Answered = { snapshot: PollSnapshot } | { error: unknown };
type Answer = { task: Task; ticket: PaceTicket } & Answered;
type Settled = Pick<PollOutcome, 'outcome'> & Partial<PollOutcome>;

/** Waits for many tasks at once; resolves one outcome per target, in input order. The loop: PollRun.run. */
export async function pollUntilDone(targets: PollTarget[], options: PollOptions) {
	const clock = options.clock ?? { now: () => Date.now(), sleep: cancellableSleep };
	const maxMs = Math.max(API_RESOLUTION_MS, options.pollIntervalMs);
	const bounds = { minMs: API_RESOLUTION_MS, maxMs };
	const startedAt = clock.now();
	const tasks = targets.map((target, i) => newTask(target, i, startedAt, options.timeoutMs));
	const { pace, requestsPerSecond, maxConcurrentRequests, durations } = options;
	const slots = new RequestSlots(pace, requestsPerSecond, maxConcurrentRequests);
	const planner = new RunPlanner(tasks, durations ?? new LearnedDurations(), bounds, slots.cap);
	const handOffAt = startedAt + (Math.max(0, options.handOffAfterMs ?? 0) || Infinity);
	return await new PollRun(options, clock, bounds, tasks, slots, planner).run(startedAt, handOffAt);
}

/** One pollUntilDone call: the loop first, then its steps in the order it takes them. */
class PollRun {
	private readonly outcomes: PollOutcome[] = [];
	/** Answers that came back since the loop last looked. */
	private readonly answers: Answer[] = [];
	private stopped = false;
	private wake: (() => void) | undefined;

	constructor(
		private readonly options: PollOptions,
		private readonly clock: PollClock,
		private readonly bounds: Bounds,
		private readonly tasks: Task[],
		private readonly slots: RequestSlots,
		private readonly planner: RunPlanner,
	) {}

	/**
	 * Each turn: take in the answers that came back, time out the tasks past their deadline, hand the rest off when
	 * it is time, start the due checks as far as the pace and the in-flight cap allow, then sleep until the next due
	 * check, free slot, deadline or answer. Stop (the signal) ends it at once, naming every pending task.
	 */
	async run(startedAt: number, handOffAt: number): Promise<PollOutcome[]> {
		for (const task of this.tasks) this.planner.plan(task, startedAt);
		try {
			for (;;) {
				this.throwIfAborted();
				for (const answer of this.answers.splice(0)) this.take(answer);
				const now = this.clock.now();
				for (const task of this.tasks.filter((t) => mayTimeOut(t, now))) this.timeOut(task, now);
				if (this.planner.pending.length === 0) return this.outcomes;
				if (now >= handOffAt) return this.handOffTheRest(now);
				this.startDueChecks(now);
				if (this.answers.length === 0) await this.sleepUntil(this.nextWakeAt(handOffAt), now);
			}
		} finally {
			// Requests still in flight may settle (or hang): their answers are ignored from here on.
			this.stopped = true;
		}
	}

	private throwIfAborted(): void {
		if (this.options.signal?.aborted)
			throw new PollAborted(this.planner.pending.map((t) => t.target));
	}

	private take({ task, ticket, ...answer }: Answer): void {
		const now = this.clock.now();
		if ('snapshot' in answer) this.slots.pace.succeeded(ticket);
		if (task.settled) return;
		if ('snapshot' in answer) this.onSnapshot(task, answer.snapshot, now);
		else this.onError(task, ticket, answer.error, now);
	}

	private onSnapshot(task: Task, snapshot: PollSnapshot, now: number): void {
		observe(task, snapshot, now);
		const state = finalStateOf(snapshot.status);
		if (state === 'running') {
			task.seenRunningAt = now;
			this.planner.plan(task, now);
		} else if (state === 'completed') {
			this.settle(task, now, { outcome: 'completed' });
			this.planner.finished(task, finishedAt(task, snapshot, now), now);
		} else {
			const error = failureMessage(task.target.taskId, snapshot);
			this.settle(task, now, { outcome: 'failed', error });
		}
	}

	/** 'retry': again with backoff; a 429: every request with the key waits (the task has not failed); 'fatal': fails. */
	private onError(task: Task, ticket: PaceTicket, error: unknown, now: number): void {
		const verdict = verdictOn(error, this.options, this.bounds.maxMs);
		task.lastError = messageOf(error);
		if (verdict === 'fatal') {
			const message = namingTask(task.target.taskId, task.lastError);
			return this.settle(task, now, { outcome: 'failed', error: message });
		}
		if (typeof verdict === 'number') this.slots.pace.rateLimited(ticket, now, verdict);
		const delayMs = verdict === 'retry' ? retryDelay(++task.errors) : verdict;
		task.dueAt = checkAt(task, now, delayMs, this.bounds);
	}

	private timeOut(task: Task, now: number): void {
		const error = timeoutMessage(task, this.options.timeoutMs);
		this.settle(task, now, { outcome: 'timedOut', error });
	}

	/** Every task still running leaves as 'stillRunning', with what the next pass needs to go on. */
	private handOffTheRest(now: number): PollOutcome[] {
		for (const task of this.planner.pending) {
			this.settle(task, now, { outcome: 'stillRunning', ...this.planner.handedOn(task) });
		}
		return this.outcomes;
	}

	private settle(task: Task, now: number, how: Settled): void {
		task.settled = true;
		this.outcomes[task.index] = { ...outcomeOf(task, now), ...how };
		this.options.onOutcome?.(this.outcomes[task.index]);
		this.planner.settled(task, now);
	}

	/** The due checks, earliest first, as far as the pace and the in-flight cap allow. */
	private startDueChecks(now: number): void {
		while (this.slots.readyAt() <= now) {
			const task = this.planner.nextDue();
			if (!task || task.dueAt > now) return;
			const ticket = this.slots.take(now, this.planner.pending);
			this.planner.spend();
			startCheck(task, now);
			void check(task, this.options).then((answered) => {
				// Back and queued in one step: the loop takes an answer in before it times anything out.
				task.checking = false;
				this.answers.push({ task, ticket, ...answered });
				this.slots.done();
				if (!this.stopped) this.wake?.();
			});
		}
	}

	/** The next due check (or free slot), else the earliest time-out of a task looked at, or the hand-off. */
	private nextWakeAt(handOffAt: number): number {
		// Only a task that has been looked at times out at its deadline; the others wait for their check.
		const timesOutAt = this.planner.pending
			.filter((t) => t.polls > 0 && !t.checking)
			.reduce((at, t) => Math.min(at, t.deadline), handOffAt);
		const next = this.planner.nextDue();
		return next ? Math.min(timesOutAt, Math.max(next.dueAt, this.slots.readyAt())) : timesOutAt;
	}

	/** Sleeps until `at`; an answer or the execution's cancel cuts it short. */
	private async sleepUntil(at: number, now: number): Promise<void> {
		const cut = new AbortController();
		this.wake = () => cut.abort();
		const unlink = onAbort(this.options.signal, this.wake);
		try {
			await this.clock.sleep(Math.max(0, at - now), cut.signal);
		} finally {
			this.wake = undefined;
			unlink();
		}
	}
}

function outcomeOf(task: Task, now: number): Omit<PollOutcome, 'outcome'> {
	const { key, taskId } = task.target;
	return { key, taskId, polls: task.polls, elapsedMs: now - task.startedAt, last: task.last };
}

/** One status request; a synchronous throw of fetchStatus counts as its error. */
async function check(task: Task, options: PollOptions): Promise<Answered> {
	try {
		return { snapshot: await options.fetchStatus(task.target) };
	} catch (error) {
		return { error };
	}
}

/** The caller's verdict (a throwing classifier: fatal); a 429 as its wait in ms (else the Poll Interval). */
function verdictOn(error: unknown, poll: PollOptions, maxMs: number): 'retry' | 'fatal' | number {
	try {
		const verdict = poll.classifyError(error);
		if (typeof verdict === 'string') return verdict;
		return Number.isFinite(verdict.retryAfterMs) ? Math.max(0, verdict.retryAfterMs) : maxMs;
	} catch {
		return 'fatal';
	}
}
