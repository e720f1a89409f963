import { onAbort } from '../abort';
import { AdaptivePace, type PaceTicket } from '../pacing/adaptivePace';
import { cancellableSleep } from '../sleep';
import { RunBudget } from './budget';
import { MinHeap } from './heap';
import { LearnedDurations } from './learnedDurations';
import { errorText, failureMessage, namingTask, timeoutMessage } from './messages';
import { Pace } from './pace';
import { PLAN, planNextPoll, staggerOf } from './plan';
import { estimateFromProgress, nextPollDelay, retryDelay } from './schedule';
import type { Task } from './taskState';
import { finalStateOf } from '../taskStatus';
import { bornBy, finishedAt, mayTimeOut, newTask, observeTimeline } from './taskState';
import type { PollClock, PollOptions, PollOutcome, PollSnapshot, PollTarget } from './types';
import { finishWindow, medianDuration, type FinishWindow } from './window';

/** Thrown when the execution is cancelled; `pending` holds every task not yet settled, so no id is lost. */
export class PollAborted extends Error {
	readonly pending: PollTarget[];

	constructor(pending: PollTarget[]) {
		const shown = pending.slice(0, 10).map((t) => t.taskId);
		const more = pending.length > shown.length ? ` and ${pending.length - shown.length} more` : '';
		super(`Polling stopped with ${pending.length} task(s) unfinished: ${shown.join(', ')}${more}`);
		this.name = 'PollAborted';
		this.pending = pending;
	}
}

/** Tuning, each with its reason. */
const DEFAULTS = {
	/** The API's statuses change on a scale of seconds: a task is never polled more often than this. */
	minIntervalMs: 1000,
	/** Requests in flight at once: enough to hide latency, few enough not to look like a burst to the API. */
	maxConcurrent: 8,
};
/** A task whose next poll would land past the deadline gets a last look this long before it. */
const LAST_LOOK_MS = 1000;
/** Progress readings kept per task; the schedule only needs recent ones. */
const MAX_SAMPLES = 16;
/**
 * The run's floor: it may start a check outside the key's pace (never during a 429's pause) often enough for each
 * task still running to be looked at this many times before its time-out. A pace that an API's stray 429s (ones
 * that do not follow the request rate) keep halving cannot make a batch miss its time-out; with the default
 * 30-minute time-out the floor is a few checks a minute and the pace decides.
 */
const FLOOR_CHECKS_PER_TASK = 4;

const realClock: PollClock = { now: () => Date.now(), sleep: cancellableSleep };

type Completion = { task: Task; ticket: PaceTicket } & (
	| { snapshot: PollSnapshot }
	| { error: unknown }
);

/**
 * Waits for many tasks at once. One scheduler loop keeps a heap of (next poll time, task); each turn it starts the
 * due polls the pace and the concurrency cap allow, then sleeps until the next due poll, the next free request
 * slot, or a finished request, whichever comes first. Resolves one outcome per target, in input order.
 */
export async function pollUntilDone(
	targets: PollTarget[],
	options: PollOptions,
): Promise<PollOutcome[]> {
	return await new PollRun(targets, options).run();
}

/** The state of one pollUntilDone call; each step of the loop is one method. */
class PollRun {
	private readonly clock: PollClock;
	private readonly minMs: number;
	private readonly maxMs: number;
	private readonly maxConcurrent: number;
	private readonly startedAt: number;
	/** When the run hands the tasks still running back to the caller (Infinity: never). */
	private readonly handOffAt: number;
	private readonly tasks: Task[];
	private readonly outcomes: PollOutcome[];
	private readonly queue = new MinHeap<Task>();
	/** The key's pace, shared with every other request sent with the same key. */
	private readonly pace: AdaptivePace;
	/** The user's ceiling for this run, if any. */
	private readonly ceiling: Pace | undefined;
	private readonly durations: LearnedDurations;
	private readonly budget: RunBudget;
	/** This run's tasks per model: a finish of one informs the schedule of the others. */
	private readonly byModel = new Map<string, Task[]>();
	private readonly completions: Completion[] = [];
	/** The next start the run's floor allows (see FLOOR_CHECKS_PER_TASK). */
	private floorNextAt = -Infinity;
	private open: number;
	private inFlight = 0;
	private stopped = false;
	private wake: (() => void) | undefined;

	constructor(
		targets: PollTarget[],
		private readonly options: PollOptions,
	) {
		this.clock = options.clock ?? realClock;
		this.minMs = Math.max(0, options.minIntervalMs ?? DEFAULTS.minIntervalMs);
		this.maxMs = Math.max(this.minMs, options.pollIntervalMs);
		this.maxConcurrent = Math.max(1, options.maxConcurrentRequests ?? DEFAULTS.maxConcurrent);
		this.startedAt = this.clock.now();
		const handOffMs = options.handOffAfterMs ?? 0;
		this.handOffAt = handOffMs > 0 ? this.startedAt + handOffMs : Infinity;
		this.tasks = targets.map((target, index) => this.newTask(target, index));
		this.outcomes = new Array(this.tasks.length);
		this.open = this.tasks.length;
		this.pace = options.pace ?? new AdaptivePace();
		const ceiling = options.requestsPerSecond ?? 0;
		this.ceiling = Number.isFinite(ceiling) && ceiling > 0 ? new Pace(ceiling) : undefined;
		this.durations = options.durations ?? new LearnedDurations();
		this.budget = new RunBudget(this.tasks.length);
		for (const task of this.tasks) this.peersOf(task).push(task);
	}

	private newTask(target: PollTarget, index: number): Task {
		const since = target.waitingSinceMs;
		const startedAt = since !== undefined && since < this.startedAt ? since : this.startedAt;
		return newTask(target, index, startedAt, startedAt + Math.max(0, this.options.timeoutMs));
	}

	async run(): Promise<PollOutcome[]> {
		this.throwIfAborted();
		for (const task of this.tasks) {
			// A task past its deadline already (a late hand-off pass) gets its one look at once.
			const overdue = task.deadline - LAST_LOOK_MS <= this.startedAt;
			this.schedule(task, this.startedAt, overdue ? 0 : this.delayFor(task, this.startedAt));
		}
		this.timeOutDue(this.startedAt);
		try {
			for (;;) {
				this.throwIfAborted();
				this.handleCompletions();
				if (this.open === 0) return this.outcomes;
				const now = this.clock.now();
				this.timeOutDue(now);
				if (this.open === 0) return this.outcomes;
				if (now >= this.handOffAt) return this.handOffTheRest(now);
				this.startDuePolls(now);
				if (this.completions.length === 0) await this.waitUntil(this.nextWakeAt(), now);
			}
		} finally {
			// In-flight requests may still settle (or hang); their results are ignored from here on.
			this.stopped = true;
		}
	}

	private throwIfAborted(): void {
		if (this.options.signal?.aborted) {
			throw new PollAborted(this.pending().map((t) => t.target));
		}
	}

	private handleCompletions(): void {
		const now = this.clock.now();
		for (const done of this.completions.splice(0)) {
			if ('snapshot' in done) this.pace.succeeded(done.ticket);
			if (done.task.settled) continue;
			if ('snapshot' in done) this.onSnapshot(done.task, done.snapshot, now);
			else this.onError(done.task, done.ticket, done.error, now);
		}
	}

	private pending(): Task[] {
		return this.tasks.filter((t) => !t.settled);
	}

	private timeOutDue(now: number): void {
		for (const task of this.tasks.filter((t) => mayTimeOut(t, now))) {
			const message = timeoutMessage(
				task.target.taskId,
				this.options.timeoutMs,
				task.last,
				task.lastError,
			);
			this.settle(task, now, 'timedOut', message);
		}
	}

	/** Every task still running leaves as 'stillRunning', with when the schedule expects it to finish. */
	private handOffTheRest(now: number): PollOutcome[] {
		for (const task of this.pending()) {
			const expected = this.expectedFinishOf(task);
			this.settle(task, now, 'stillRunning');
			const outcome = this.outcomes[task.index];
			outcome.deadlineMs = task.deadline;
			if (expected !== undefined) outcome.expectedFinishAtMs = expected;
			if (task.createdAt !== undefined) outcome.createdAtMs = task.createdAt;
		}
		return this.outcomes;
	}

	/** From the task's own progress, else from the learned durations of its model. */
	private expectedFinishOf(task: Task): number | undefined {
		const fromProgress = estimateFromProgress(task.samples);
		if (fromProgress) return task.startedAt + fromProgress.finishAtMs;
		const { total, generation } = this.durations.of(this.modelOf(task));
		if (task.generatingSince !== undefined && generation.length > 0) {
			return task.generatingSince + medianDuration(generation)!;
		}
		const typical = medianDuration(total);
		return typical === undefined ? undefined : bornBy(task) + typical;
	}

	private startDuePolls(now: number): void {
		const { queue } = this;
		while (this.inFlight < this.maxConcurrent && queue.size > 0 && queue.peekAt()! <= now) {
			if (this.dropStale()) continue;
			if (now < this.readyAt()) break;
			this.launch(queue.pop()!, now);
		}
	}

	/** Drops the queue's first entry when it is out of date (its task settled or was rescheduled). */
	private dropStale(): boolean {
		const task = this.queue.peek()!;
		if (!task.settled && task.dueAt === this.queue.peekAt()) return false;
		this.queue.pop();
		return true;
	}

	/** The next start the key's pace or, failing it, the run's floor allows, within the user's ceiling. */
	private readyAt(): number {
		const floorAt = Math.max(this.floorNextAt, this.pace.pauseEndsAt());
		return Math.max(Math.min(this.pace.readyAt(), floorAt), this.ceiling?.readyAt() ?? -Infinity);
	}

	/** Spacing that gives each task still running FLOOR_CHECKS_PER_TASK checks before the earliest time-out. */
	private floorSpacing(now: number): number {
		const deadline = this.pending().reduce((at, t) => Math.min(at, t.deadline), Infinity);
		const secondsLeft = Math.max(1, (deadline - now) / 1000);
		return (1000 * secondsLeft) / Math.max(1, FLOOR_CHECKS_PER_TASK * this.open);
	}

	/** The next due poll (or the next free pace slot), else the earliest time-out or the hand-off. */
	private nextWakeAt(): number {
		while (this.queue.size > 0 && this.dropStale());
		// Only a task that has been looked at times out at its deadline; the others wait for their check.
		const bound = this.pending()
			.filter((t) => t.answers > 0 && !t.checking)
			.reduce((at, t) => Math.min(at, t.deadline), this.handOffAt);
		if (this.queue.size === 0 || this.inFlight >= this.maxConcurrent) return bound;
		return Math.min(bound, Math.max(this.queue.peekAt()!, this.readyAt()));
	}

	private schedule(task: Task, now: number, delayMs: number): void {
		// Past the deadline the task would time out unseen: look once more just before it instead.
		const at = Math.min(now + delayMs, Math.max(now + this.minMs, task.deadline - LAST_LOOK_MS));
		task.dueAt = at;
		this.queue.push(at, task);
	}

	/** Brings a task's next poll forward to `at` (never sooner than minIntervalMs after its last one). */
	private moveUp(task: Task, at: number): void {
		const earliest = Math.max(at, (task.lastPollAt ?? -Infinity) + this.minMs);
		if (task.settled || earliest >= task.dueAt) return;
		task.dueAt = earliest;
		this.queue.push(earliest, task);
	}

	private settle(task: Task, now: number, outcome: PollOutcome['outcome'], error?: string): void {
		task.settled = true;
		this.open--;
		this.budget.settle(now - bornBy(task));
		const result: PollOutcome = {
			key: task.target.key,
			taskId: task.target.taskId,
			outcome,
			polls: task.polls,
			elapsedMs: now - task.startedAt,
		};
		if (task.last) result.last = task.last;
		if (error !== undefined) result.error = error;
		this.outcomes[task.index] = result;
		this.options.onOutcome?.(result);
		this.speedUpTheTail(now);
	}

	private launch(task: Task, now: number): void {
		const ticket = this.pace.isReady(now) ? this.pace.take(now) : this.pace.takeUnpaced(now);
		this.floorNextAt = now + this.floorSpacing(now);
		this.ceiling?.take(now);
		this.budget.spend();
		task.polls++;
		task.checking = true;
		task.lastPollAt = now;
		this.inFlight++;
		// Promise.resolve().then also turns a synchronous throw of fetchStatus into a rejection.
		void Promise.resolve()
			.then(() => this.options.fetchStatus(task.target))
			.then(
				(snapshot) => this.completions.push({ task, ticket, snapshot }),
				(error: unknown) => this.completions.push({ task, ticket, error }),
			)
			.then(() => {
				task.checking = false;
				task.answers++;
				this.inFlight--;
				if (!this.stopped) this.wake?.();
			});
	}

	private onSnapshot(task: Task, snapshot: PollSnapshot, now: number): void {
		task.last = snapshot;
		task.errors = 0;
		task.lastError = undefined;
		observeTimeline(task, snapshot, now);
		const state = finalStateOf(snapshot.status);
		if (state === 'completed') {
			this.learnFrom(task, finishedAt(task, snapshot, now));
			this.settle(task, now, 'completed');
			this.openWindowOfPeers(task, now);
		} else if (state === 'failed') {
			this.settle(task, now, 'failed', failureMessage(task.target.taskId, snapshot));
		} else {
			task.seenRunningAt = now;
			this.recordProgress(task, snapshot, now);
			this.schedule(task, now, this.delayFor(task, now));
		}
	}

	/** A finished task's durations join what its API key knows about the model, for this run and later ones. */
	private learnFrom(task: Task, doneAt: number): void {
		const model = this.modelOf(task);
		if (task.createdAt !== undefined)
			this.durations.record(model, 'total', doneAt - task.createdAt);
		if (task.generatingSince !== undefined) {
			this.durations.record(model, 'generation', doneAt - task.generatingSince);
		}
	}

	/** A peer finished: tasks of its model that were blind or asleep are looked at within one window gap. */
	private openWindowOfPeers(finished: Task, now: number): void {
		const gap = this.windowGap(now);
		for (const task of this.peersOf(finished)) {
			if (task.settled || (task.mode !== 'blind' && task.mode !== 'waiting')) continue;
			const plan = planNextPoll(this.planInput(task, now));
			if (plan.mode !== 'window') continue;
			task.mode = plan.mode;
			// Staggered over one gap: the peers most likely done are not all asked in the same instant.
			this.moveUp(task, now + gap * staggerOf(task.index + 1));
		}
	}

	/** Few tasks left: the execution waits on them alone, so those inside their window are checked sooner. */
	private speedUpTheTail(now: number): void {
		if (this.budget.tailShare(this.open) >= 1) return;
		const gap = this.windowGap(now);
		for (const task of this.pending()) if (task.mode === 'window') this.moveUp(task, now + gap);
	}

	/** The gap inside a window: shorter near the end of the run, while the run spends no more than the loop. */
	private windowGap(now: number): number {
		const share = this.budget.tailShare(this.open);
		if (share >= 1) return Math.min(PLAN.windowGapMs, this.maxMs);
		const ages = this.pending().map((t) => now - bornBy(t));
		if (!this.budget.withinLoop(ages)) return Math.min(PLAN.windowGapMs, this.maxMs);
		return Math.min(Math.max(this.minMs, PLAN.windowGapMs * share), this.maxMs);
	}

	private modelOf(task: Task): string {
		return task.target.model ?? '';
	}

	private peersOf(task: Task): Task[] {
		const model = this.modelOf(task);
		if (!this.byModel.has(model)) this.byModel.set(model, []);
		return this.byModel.get(model)!;
	}

	private recordProgress(task: Task, snapshot: PollSnapshot, now: number): void {
		if (typeof snapshot.progress !== 'number' || !Number.isFinite(snapshot.progress)) return;
		task.samples.push({ atMs: now - task.startedAt, progress: snapshot.progress });
		if (task.samples.length > MAX_SAMPLES) task.samples.shift();
	}

	/** The schedule's delay for a task after a status read (or before its first poll); see plan.ts. */
	private delayFor(task: Task, now: number): number {
		const plan = planNextPoll(this.planInput(task, now));
		task.mode = plan.mode;
		return plan.delayMs;
	}

	private planInput(task: Task, now: number) {
		return {
			now,
			polls: task.polls,
			progressDelayMs: this.progressDelay(task, now),
			window: this.windowOf(task, now),
			peers: this.peersOf(task).length,
			stagger: staggerOf(task.index),
			windowGapMs: this.windowGap(now),
			minIntervalMs: this.minMs,
			pollIntervalMs: this.maxMs,
		};
	}

	/** From the task's own progress (schedule.ts), when it reports rising progress. */
	private progressDelay(task: Task, now: number): number | undefined {
		if (task.polls === 0 || !estimateFromProgress(task.samples)) return undefined;
		return nextPollDelay({
			elapsedMs: now - task.startedAt,
			polls: task.polls,
			samples: task.samples,
			peerDurationsMs: [],
			minIntervalMs: this.minMs,
			pollIntervalMs: this.maxMs,
		});
	}

	/** Its finish window: from its generation start when known, else from its creation (or the run's start). */
	private windowOf(task: Task, now: number): FinishWindow | undefined {
		const { total, generation } = this.durations.of(this.modelOf(task));
		const runningAt = task.seenRunningAt ?? now;
		if (task.generatingSince !== undefined && generation.length > 0) {
			return finishWindow(generation, task.generatingSince, runningAt);
		}
		return finishWindow(total, bornBy(task), runningAt);
	}

	private onError(task: Task, ticket: PaceTicket, error: unknown, now: number): void {
		const message = errorText(error);
		let verdict;
		try {
			verdict = this.options.classifyError(error);
		} catch {
			verdict = 'fatal' as const;
		}
		if (verdict === 'fatal') {
			this.settle(task, now, 'failed', namingTask(task.target.taskId, message));
			return;
		}
		task.lastError = message;
		if (verdict === 'retry') {
			task.errors++;
			this.schedule(task, now, retryDelay(task.errors, this.minMs, this.maxMs));
			return;
		}
		// A 429: the API wants fewer requests from everyone using this key, not a failed task.
		const waitMs = Number.isFinite(verdict.retryAfterMs)
			? Math.max(0, verdict.retryAfterMs)
			: this.maxMs;
		this.pace.rateLimited(ticket, now, waitMs);
		this.schedule(task, now, Math.max(waitMs, this.minMs));
	}

	/** Sleeps until `at`; a finished request or the execution's cancel cuts it short. */
	private async waitUntil(at: number, now: number): Promise<void> {
		const cut = new AbortController();
		const wake = () => cut.abort();
		const unlink = onAbort(this.options.signal, wake);
		this.wake = wake;
		try {
			await this.clock.sleep(Math.max(0, at - now), cut.signal);
		} finally {
			this.wake = undefined;
			unlink();
		}
	}
}
