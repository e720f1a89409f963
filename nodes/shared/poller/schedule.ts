/**
 * When to look at one task next: one pure policy from the task's timeline (checks, progress, creation, generation
 * start) and what is known of its model (learned durations, peers in this run) to the time of its next check.
 * A check costs a request, a finish noticed late costs the workflow time; the hand-built loop checks every 10 s.
 * The modes: early, one check soon after the start; progress, by the task's extrapolated finish; waiting, asleep
 * until its model's finish window opens (window.ts); window, every window gap inside it, fewer past it; blind,
 * nothing known: the model's tasks take turns until a first finish opens the window for all (planner.ts).
 */
import type { ModelDurations } from './learnedDurations';
import { API_RESOLUTION_MS, bornBy } from './taskState';
import type { CheckMode, ProgressSample, Task } from './taskState';
import { finishWindow, medianDuration, type FinishWindow } from './window';

export const SCHEDULE = {
	/** The hand-built loop's interval, the yardstick: the API document's examples poll every 10 s. */
	loopIntervalMs: 10_000,
	/** The early check (tasks that fail at once), half a step after the least gap. */
	firstCheckMs: 1500,
	/** Inside a finish window: half the loop's interval, so a finish is noticed twice as soon. */
	windowGapMs: 5000,
	/** A narrow window is checked at least this often across its width (cheap: it is narrow). */
	checksPerWindow: 2,
	/** Blind, a model's tasks together look this often (each every peers × this, never more often than the loop). */
	blindPerPeerMs: 2000,
	/** Past a window (learned or from progress) the gap grows by this share of the overshoot: a stuck task backs off. */
	overdueShare: 0.25,
	/** Little known (blind, or fewer than trustedSamples durations): no gap above three loop intervals. */
	uncertainMaxGapMs: 30_000,
	/** From this many durations on, a new task falls below all of them with chance under 10 % (1 / (n + 1)). */
	trustedSamples: 10,
	/** Near a finish predicted from progress, checks aim this long after it, so one usually lands after it. */
	finishMarginMs: 250,
	/** Progress readings this many points apart give a steadier rate than two neighbours. */
	minProgressSpan: 5,
	/** Share of the time still to go added to a progress estimate's uncertainty: progress is rarely quite linear. */
	progressErrorShare: 0.05,
};

/** The gaps allowed: the API's resolution and the Poll Interval. */
export type Bounds = { minMs: number; maxMs: number };
/** What is known of a task's model: its learned durations, its peers in this run, the run's window gap. */
export type ModelKnowledge = { durations: ModelDurations; peers: number; windowGapMs: number };
type Plan = { delayMs: number; mode: CheckMode };

export function clamp(value: number, min: number, max: number): number {
	return Math.min(Math.max(value, min), Math.max(min, max));
}

/** The next check of `task`, planned at `now` (after an answer, or before its first check). */
export function nextCheck(task: Task, now: number, known: ModelKnowledge, bounds: Bounds) {
	// A task already past its deadline (a late hand-off pass) gets its one look at once.
	const overdue = task.polls === 0 && task.deadline - API_RESOLUTION_MS <= now;
	const { delayMs, mode } = delayOf(task, now, known, bounds);
	return { at: overdue ? now : checkAt(task, now, delayMs, bounds), mode };
}

function delayOf(task: Task, now: number, known: ModelKnowledge, bounds: Bounds): Plan {
	if (task.polls === 0) return { delayMs: SCHEDULE.firstCheckMs, mode: 'early' };
	const eta = estimateFromProgress(task.samples);
	if (eta) return { delayMs: progressDelay(eta, now - task.startedAt), mode: 'progress' };
	const window = windowOf(task, known.durations, now);
	const trusted = (window?.samples ?? 0) >= SCHEDULE.trustedSamples;
	const maxGap = trusted ? bounds.maxMs : Math.min(bounds.maxMs, SCHEDULE.uncertainMaxGapMs);
	const plan = window
		? windowDelay(window, now, known.windowGapMs)
		: { delayMs: blindDelay(task, known.peers, maxGap), mode: 'blind' as const };
	return { ...plan, delayMs: clamp(plan.delayMs, bounds.minMs, maxGap) };
}

/** `now + delayMs` within the bounds; a check that would pass the deadline is a last look just before it instead. */
export function checkAt(task: Task, now: number, delayMs: number, bounds: Bounds): number {
	const at = now + clamp(delayMs, bounds.minMs, bounds.maxMs);
	return Math.min(at, Math.max(now + bounds.minMs, task.deadline - API_RESOLUTION_MS));
}

/** Asleep until one gap into a window that opens later than one gap from now; else inside it, or past it. */
function windowDelay(window: FinishWindow, now: number, windowGapMs: number): Plan {
	const narrowGap = Math.min(windowGapMs, window.widthMs / SCHEDULE.checksPerWindow);
	if (window.opensAt !== undefined && window.opensAt > now + windowGapMs) {
		return { delayMs: window.opensAt + narrowGap - now, mode: 'waiting' };
	}
	// The width says how closely to look inside the window, nothing about a task that outlived it.
	const overshoot = Math.max(0, now - window.endsAt);
	const gap = overshoot > 0 ? windowGapMs : narrowGap;
	return { delayMs: gap + SCHEDULE.overdueShare * overshoot, mode: 'window' };
}

/** Blind: the peers share the looking; the first gap is staggered over half a gap to one and a half. */
function blindDelay(task: Task, peers: number, maxGapMs: number): number {
	const gap = clamp(peers * SCHEDULE.blindPerPeerMs, SCHEDULE.loopIntervalMs, maxGapMs);
	return task.polls === 1 ? gap * (0.5 + staggerOf(task.index)) : gap;
}

/** Golden-ratio stagger: spreads the tasks of a run evenly over [0, 1) in input order. */
export function staggerOf(index: number): number {
	return (index * 0.6180339887498949) % 1;
}

/** The learned durations that fit the task: generation times once it is seen generating, else whole ones. */
function durationsFor(task: Task, known: ModelDurations) {
	return task.generatingSince !== undefined && known.generation.length > 0
		? { from: task.generatingSince, durations: known.generation }
		: { from: bornBy(task), durations: known.total };
}

function windowOf(task: Task, known: ModelDurations, now: number) {
	const { from, durations } = durationsFor(task, known);
	return finishWindow(durations, from, task.seenRunningAt ?? now);
}

/** When the task is expected to finish (for the hand-off): from its progress, else from its model's durations. */
export function expectedFinish(task: Task, known: ModelDurations): number | undefined {
	const eta = estimateFromProgress(task.samples);
	if (eta) return task.startedAt + eta.finishAtMs;
	const { from, durations } = durationsFor(task, known);
	const typical = medianDuration(durations);
	return typical === undefined ? undefined : from + typical;
}

/** Backoff after a retryable error: 1 s, 2 s, 4 s … per consecutive error (the exponent capped against overflow). */
export function retryDelay(consecutiveErrors: number): number {
	return API_RESOLUTION_MS * 2 ** Math.min(Math.max(consecutiveErrors - 1, 0), 20);
}

/**
 * Linear extrapolation of the progress readings to 100 %; undefined while progress is not rising. The rate runs from
 * the most recent reading far enough below the latest (a task may queue at 0 % first), else the oldest lower one,
 * else the start of waiting at 0 %.
 */
export function estimateFromProgress(samples: readonly ProgressSample[]) {
	const last = samples[samples.length - 1];
	if (!last || last.progress >= 100 || last.progress <= 0) return undefined;
	const lower = samples.filter((s) => s.progress < last.progress && s.atMs < last.atMs);
	const spanned = (s: ProgressSample) => s.progress <= last.progress - SCHEDULE.minProgressSpan;
	const ref = [...lower].reverse().find(spanned) ?? lower[0] ?? { atMs: 0, progress: 0 };
	const span = last.progress - ref.progress;
	const msPerPoint = (last.atMs - ref.atMs) / span;
	if (msPerPoint <= 0) return undefined;
	const remainingMs = (100 - last.progress) * msPerPoint;
	// Readings are whole points: the rate may be off by one point in `span`, the last reading by one point.
	const uncertaintyMs = remainingMs / span + msPerPoint + SCHEDULE.progressErrorShare * remainingMs;
	const finishAtMs = last.atMs + remainingMs;
	return { finishAtMs, uncertaintyMs: Math.max(API_RESOLUTION_MS, uncertaintyMs) };
}

type Estimate = NonNullable<ReturnType<typeof estimateFromProgress>>;

/** Asleep until the estimate ± its uncertainty; inside, just after the predicted finish; past it, backing off. */
function progressDelay({ finishAtMs, uncertaintyMs }: Estimate, elapsedMs: number): number {
	if (elapsedMs < finishAtMs - uncertaintyMs) return finishAtMs - uncertaintyMs - elapsedMs;
	const overdue = elapsedMs - (finishAtMs + uncertaintyMs);
	if (overdue > 0) return API_RESOLUTION_MS + SCHEDULE.overdueShare * overdue;
	const untilFinish = Math.max(finishAtMs - elapsedMs, 0) + SCHEDULE.finishMarginMs;
	return Math.min(untilFinish, 2 * API_RESOLUTION_MS);
}
