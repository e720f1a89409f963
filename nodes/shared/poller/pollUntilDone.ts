import { onAbort } from '../abort';
import { cancellableSleep } from '../sleep';
import { MinHeap } from './heap';
import { errorText, failureMessage, namingTask, timeoutMessage } from './messages';
import { Pace } from './pace';
import { estimateFinish, nextPollDelay, retryDelay, type ProgressSample } from './schedule';
import type { PollClock, PollOptions, PollOutcome, PollSnapshot, PollTarget } from './types';

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

const realClock: PollClock = { now: () => Date.now(), sleep: cancellableSleep };

interface Task {
	target: PollTarget;
	index: number;
	/** When waiting for it began: its time-out and schedule count from here. */
	startedAt: number;
	deadline: number;
	polls: number;
	errors: number;
	lastError?: string;
	last?: PollSnapshot;
	samples: ProgressSample[];
	settled: boolean;
}

type Completion = { task: Task; snapshot: PollSnapshot } | { task: Task; error: unknown };

/**
 * Waits for many tasks at once. One scheduler loop keeps a heap of (next poll time, task); each turn it starts the
 * due polls the global pace and the concurrency cap allow, then sleeps until the next due poll, the next free
 * request slot, or a finished request, whichever comes first. Resolves one outcome per target, in input order.
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
	private readonly pace: Pace;
	/** Completed durations per model in this run: the schedule expects peers to take about as long. */
	private readonly peerDurations = new Map<string, number[]>();
	private readonly completions: Completion[] = [];
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
		this.pace = new Pace(options.requestsPerSecond);
	}

	private newTask(target: PollTarget, index: number): Task {
		const since = target.waitingSinceMs;
		const startedAt = since !== undefined && since < this.startedAt ? since : this.startedAt;
		const deadline = startedAt + Math.max(0, this.options.timeoutMs);
		return { target, index, startedAt, deadline, polls: 0, errors: 0, samples: [], settled: false };
	}

	async run(): Promise<PollOutcome[]> {
		this.throwIfAborted();
		const firstDelay = this.delayFor(undefined, this.startedAt);
		for (const task of this.tasks) this.schedule(task, this.startedAt, firstDelay);
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
			if (done.task.settled) continue;
			if ('snapshot' in done) this.onSnapshot(done.task, done.snapshot, now);
			else this.onError(done.task, done.error, now);
		}
	}

	private pending(): Task[] {
		return this.tasks.filter((t) => !t.settled);
	}

	private timeOutDue(now: number): void {
		for (const task of this.pending().filter((t) => t.deadline <= now)) {
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
			const estimate = estimateFinish({
				samples: task.samples,
				peerDurationsMs: this.peersOf(task),
			});
			this.settle(task, now, 'stillRunning');
			if (estimate)
				this.outcomes[task.index].expectedFinishAtMs = task.startedAt + estimate.finishAtMs;
		}
		return this.outcomes;
	}

	private startDuePolls(now: number): void {
		const { queue } = this;
		while (
			this.inFlight < this.maxConcurrent &&
			queue.size > 0 &&
			queue.peekAt()! <= now &&
			this.pace.isReady(now)
		) {
			const task = queue.pop()!;
			if (!task.settled) this.launch(task, now);
		}
	}

	/** The next due poll (or the next free pace slot), else the earliest time-out or the hand-off. */
	private nextWakeAt(): number {
		const bound = this.pending().reduce((at, t) => Math.min(at, t.deadline), this.handOffAt);
		if (this.queue.size === 0 || this.inFlight >= this.maxConcurrent) return bound;
		return Math.min(bound, Math.max(this.queue.peekAt()!, this.pace.readyAt()));
	}

	private schedule(task: Task, now: number, delayMs: number): void {
		// Past the deadline the task would time out unseen: look once more just before it instead.
		const at = Math.min(now + delayMs, Math.max(now + this.minMs, task.deadline - LAST_LOOK_MS));
		this.queue.push(at, task);
	}

	private settle(task: Task, now: number, outcome: PollOutcome['outcome'], error?: string): void {
		task.settled = true;
		this.open--;
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
	}

	private launch(task: Task, now: number): void {
		this.pace.take(now);
		task.polls++;
		this.inFlight++;
		// Promise.resolve().then also turns a synchronous throw of fetchStatus into a rejection.
		void Promise.resolve()
			.then(() => this.options.fetchStatus(task.target))
			.then(
				(snapshot) => this.completions.push({ task, snapshot }),
				(error: unknown) => this.completions.push({ task, error }),
			)
			.then(() => {
				this.inFlight--;
				if (!this.stopped) this.wake?.();
			});
	}

	private onSnapshot(task: Task, snapshot: PollSnapshot, now: number): void {
		task.last = snapshot;
		task.errors = 0;
		task.lastError = undefined;
		const status = String(snapshot.status ?? '').toLowerCase();
		if (status === 'completed') {
			this.peersOf(task).push(now - task.startedAt);
			this.settle(task, now, 'completed');
		} else if (status === 'failed') {
			this.settle(task, now, 'failed', failureMessage(task.target.taskId, snapshot));
		} else {
			this.recordProgress(task, snapshot, now);
			this.schedule(task, now, this.delayFor(task, now));
		}
	}

	private peersOf(task: Task): number[] {
		const model = task.target.model ?? '';
		if (!this.peerDurations.has(model)) this.peerDurations.set(model, []);
		return this.peerDurations.get(model)!;
	}

	private recordProgress(task: Task, snapshot: PollSnapshot, now: number): void {
		if (typeof snapshot.progress !== 'number' || !Number.isFinite(snapshot.progress)) return;
		task.samples.push({ atMs: now - task.startedAt, progress: snapshot.progress });
		if (task.samples.length > MAX_SAMPLES) task.samples.shift();
	}

	/** The schedule's delay for a task after a status read (or, without a task, before the first poll). */
	private delayFor(task: Task | undefined, now: number): number {
		return nextPollDelay({
			elapsedMs: now - (task?.startedAt ?? this.startedAt),
			polls: task?.polls ?? 0,
			samples: task?.samples ?? [],
			peerDurationsMs: task ? this.peersOf(task) : [],
			minIntervalMs: this.minMs,
			pollIntervalMs: this.maxMs,
		});
	}

	private onError(task: Task, error: unknown, now: number): void {
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
		// A 429: the API wants fewer requests from everyone, not a failed task.
		const waitMs = Number.isFinite(verdict.retryAfterMs)
			? Math.max(0, verdict.retryAfterMs)
			: this.maxMs;
		this.pace.pauseUntil(now + waitMs);
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
