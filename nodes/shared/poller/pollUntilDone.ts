import { cancellableSleep } from '../sleep';
import { MinHeap } from './heap';
import { errorText, failureMessage, timeoutMessage, withTaskId } from './messages';
import { Pace } from './pace';
import { nextPollDelay, retryDelay, type ProgressSample } from './schedule';
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

const DEFAULT_MIN_INTERVAL_MS = 1000;
const DEFAULT_MAX_CONCURRENT = 8;
/** A task whose next poll would land past the deadline gets a last look this long before it. */
const LAST_LOOK_MS = 1000;
/** Progress readings kept per task; the schedule only needs recent ones. */
const MAX_SAMPLES = 16;

const realClock: PollClock = { now: () => Date.now(), sleep: cancellableSleep };

interface Task {
	target: PollTarget;
	index: number;
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
export async function pollUntilDone(targets: PollTarget[], options: PollOptions): Promise<PollOutcome[]> {
	const clock = options.clock ?? realClock;
	const { signal } = options;
	const minMs = Math.max(0, options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS);
	const maxMs = Math.max(minMs, options.pollIntervalMs);
	const maxConcurrent = Math.max(1, options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT);
	const startedAt = clock.now();
	const deadline = startedAt + Math.max(0, options.timeoutMs);

	const tasks: Task[] = targets.map((target, index) => ({
		target,
		index,
		polls: 0,
		errors: 0,
		samples: [],
		settled: false,
	}));
	const outcomes: PollOutcome[] = new Array(tasks.length);
	const pending = () => tasks.filter((t) => !t.settled).map((t) => t.target);
	if (signal?.aborted) throw new PollAborted(pending());

	const queue = new MinHeap<Task>();
	const pace = new Pace(options.requestsPerSecond);
	/** Completed durations per model in this run: the schedule expects peers to take about as long. */
	const peerDurations = new Map<string, number[]>();
	const completions: Completion[] = [];
	let open = tasks.length;
	let inFlight = 0;
	let stopped = false;
	let wake: (() => void) | undefined;

	const modelOf = (task: Task) => task.target.model ?? '';

	const schedule = (task: Task, now: number, delayMs: number) => {
		// Past the deadline the task would time out unseen: look once more just before it instead.
		const at = Math.min(now + delayMs, Math.max(now + minMs, deadline - LAST_LOOK_MS));
		queue.push(at, task);
	};

	const settle = (task: Task, now: number, outcome: PollOutcome['outcome'], error?: string) => {
		task.settled = true;
		open--;
		const result: PollOutcome = {
			key: task.target.key,
			taskId: task.target.taskId,
			outcome,
			polls: task.polls,
			elapsedMs: now - startedAt,
		};
		if (task.last) result.last = task.last;
		if (error !== undefined) result.error = error;
		outcomes[task.index] = result;
		options.onOutcome?.(result);
	};

	const launch = (task: Task, now: number) => {
		pace.take(now);
		task.polls++;
		inFlight++;
		// Promise.resolve().then also turns a synchronous throw of fetchStatus into a rejection.
		void Promise.resolve()
			.then(() => options.fetchStatus(task.target))
			.then(
				(snapshot) => completions.push({ task, snapshot }),
				(error: unknown) => completions.push({ task, error }),
			)
			.then(() => {
				inFlight--;
				if (!stopped) wake?.();
			});
	};

	const onSnapshot = (task: Task, snapshot: PollSnapshot, now: number) => {
		task.last = snapshot;
		task.errors = 0;
		task.lastError = undefined;
		const status = String(snapshot.status ?? '').toLowerCase();
		if (status === 'completed') {
			const durations = peerDurations.get(modelOf(task)) ?? [];
			durations.push(now - startedAt);
			peerDurations.set(modelOf(task), durations);
			settle(task, now, 'completed');
			return;
		}
		if (status === 'failed') {
			settle(task, now, 'failed', failureMessage(task.target.taskId, snapshot));
			return;
		}
		if (typeof snapshot.progress === 'number' && Number.isFinite(snapshot.progress)) {
			task.samples.push({ atMs: now - startedAt, progress: snapshot.progress });
			if (task.samples.length > MAX_SAMPLES) task.samples.shift();
		}
		const delay = nextPollDelay({
			elapsedMs: now - startedAt,
			polls: task.polls,
			samples: task.samples,
			peerDurationsMs: peerDurations.get(modelOf(task)) ?? [],
			minIntervalMs: minMs,
			pollIntervalMs: maxMs,
		});
		schedule(task, now, delay);
	};

	const onError = (task: Task, error: unknown, now: number) => {
		const message = errorText(error);
		let verdict;
		try {
			verdict = options.classifyError(error);
		} catch {
			verdict = 'fatal' as const;
		}
		if (verdict === 'fatal') {
			settle(task, now, 'failed', withTaskId(task.target.taskId, message));
			return;
		}
		task.lastError = message;
		if (verdict === 'retry') {
			task.errors++;
			schedule(task, now, retryDelay(task.errors, minMs, maxMs));
			return;
		}
		// A 429: the API wants fewer requests from everyone, not a failed task.
		const waitMs = Number.isFinite(verdict.retryAfterMs) ? Math.max(0, verdict.retryAfterMs) : maxMs;
		pace.pauseUntil(now + waitMs);
		schedule(task, now, Math.max(waitMs, minMs));
	};

	/** Sleeps up to `ms`; a finished request or the execution's cancel cuts it short. */
	const wait = async (ms: number) => {
		const cut = new AbortController();
		const onAbort = () => cut.abort();
		signal?.addEventListener('abort', onAbort, { once: true });
		wake = onAbort;
		try {
			await clock.sleep(Math.max(0, ms), cut.signal);
		} finally {
			wake = undefined;
			signal?.removeEventListener('abort', onAbort);
		}
	};

	const firstDelay = nextPollDelay({
		elapsedMs: 0,
		polls: 0,
		samples: [],
		peerDurationsMs: [],
		minIntervalMs: minMs,
		pollIntervalMs: maxMs,
	});
	for (const task of tasks) schedule(task, startedAt, firstDelay);

	try {
		for (;;) {
			if (signal?.aborted) throw new PollAborted(pending());
			let now = clock.now();
			for (const done of completions.splice(0)) {
				if (done.task.settled) continue;
				if ('snapshot' in done) onSnapshot(done.task, done.snapshot, now);
				else onError(done.task, done.error, now);
			}
			if (open === 0) return outcomes;
			now = clock.now();
			if (now >= deadline) {
				for (const task of tasks) {
					if (!task.settled) {
						const message = timeoutMessage(task.target.taskId, options.timeoutMs, task.last, task.lastError);
						settle(task, now, 'timedOut', message);
					}
				}
				return outcomes;
			}
			while (inFlight < maxConcurrent && queue.size > 0 && queue.peekAt()! <= now && pace.isReady(now)) {
				const task = queue.pop()!;
				if (!task.settled) launch(task, now);
			}
			let wakeAt = deadline;
			if (queue.size > 0 && inFlight < maxConcurrent) {
				wakeAt = Math.min(wakeAt, Math.max(queue.peekAt()!, pace.readyAt()));
			}
			if (completions.length === 0) await wait(wakeAt - now);
		}
	} finally {
		// In-flight requests may still settle (or hang); their results are ignored from here on.
		stopped = true;
	}
}
