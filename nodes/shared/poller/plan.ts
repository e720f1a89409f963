/**
 * When to check one task next: the poller's schedule. Pure function; the poller gathers its inputs.
 *
 * A check costs a request; a finish noticed late costs the workflow time. The hand-built loop spends one check per
 * 10 s of a task's life and notices a finish 5 s late on average, 10 s at worst. This schedule spends its checks
 * where the task can finish and saves them where it cannot:
 * 1. early: one check soon after the start, for tasks that fail at once (FIRST_POLL_MS);
 * 2. progress: a task that reports its progress is checked by its own extrapolated finish (schedule.ts);
 * 3. waiting: with learned durations of its model (window.ts), the task sleeps until its finish window opens;
 * 4. window: inside it, one check every windowGapMs (or half the window's width, if narrower): evenly spaced
 *    checks make the latest notice, and so the p95, smallest for their number. Past everything learned, the gap
 *    grows with the overshoot (a stuck task does not keep costing);
 * 5. blind: nothing known about the model yet. Its tasks are checked rarely, at staggered times, so that together
 *    they look at the model every BLIND_PER_PEER; the first finish opens the window for all of them at once (the
 *    poller reschedules them, see `rescheduleAfterPeer`).
 * Every delay stays within [minIntervalMs, pollIntervalMs].
 */
import type { FinishWindow } from './window';
import { FIRST_POLL_MS, clamp } from './schedule';

/** Tuning, each with its reason. */
export const PLAN = {
	/**
	 * Gap between checks inside a finish window: half the hand-built loop's 10 s, so a finish is noticed within
	 * 5 s (the benchmark's warm target is 0.6 × the loop's p95 of about 9.5 s). With windows as wide as the
	 * durations' spread (±25 % in the benchmark) this costs fewer checks than the loop (bench/results.md).
	 */
	windowGapMs: 5000,
	/**
	 * Blind, the tasks of one model are together checked about this often (each one every peers × this, within
	 * the Poll Interval): their first finish is seen a few seconds after it happens and opens the window for all.
	 * One task alone is checked every blindMinMs. Chosen in virtual-time runs of the benchmark's mix (seeds 1–8):
	 * 2.5 s noticed the first finish of a 12-task model too late, 1.5 s cost more checks than the loop.
	 */
	blindPerPeerMs: 2000,
	/** The hand-built loop's interval: a lone task without any knowledge is checked like the loop checks it. */
	blindMinMs: 10_000,
	/**
	 * A narrow window (a model whose tasks take nearly the same time) is checked at least this many times across
	 * its width: cheap, since it is narrow, and its finishes are noticed within a fraction of the window gap.
	 */
	checksPerWindow: 2,
	/** Past every learned duration, add this share of the overshoot to the gap (a stuck task backs off). */
	overdueShare: 0.25,
	/**
	 * While the schedule knows little of a model (blind, or a window from fewer than trustedSamples durations), no
	 * gap is longer than this, whatever the Poll Interval: a window from a few durations can open too late, and
	 * blind checks are what find a model's first finish. 30 s, the Poll Interval's default before learned
	 * durations, kept the benchmark's cold runs as they were.
	 */
	uncertainMaxGapMs: 30_000,
	/**
	 * From this many durations on, the schedule trusts a window enough to sleep until it opens, up to the Poll
	 * Interval (a new task falls below all of n durations with chance 1 / (n + 1), and the window opens below them).
	 * Saves the check a 30-s bound forces in the middle of a long task's wait (about 5 % of a warm run's requests in
	 * the benchmark's mix, whose veo2 windows open some 45 s in).
	 */
	trustedSamples: 10,
};

export type PlanMode = 'early' | 'progress' | 'waiting' | 'window' | 'blind';

export interface PlanInput {
	now: number;
	/** Checks of this task so far. */
	polls: number;
	/** The delay its own progress gives (schedule.ts), when it reports rising progress. */
	progressDelayMs?: number;
	/** Its finish window from learned durations, if its model has any. */
	window?: FinishWindow;
	/** Tasks of its model waiting in this run. */
	peers: number;
	/** Its place in the stagger, in [0, 1). */
	stagger: number;
	/** The gap inside a window (shorter near the end of a run, see the poller). */
	windowGapMs: number;
	minIntervalMs: number;
	pollIntervalMs: number;
}

export interface Plan {
	delayMs: number;
	mode: PlanMode;
}

export function planNextPoll(input: PlanInput): Plan {
	const { now, window, minIntervalMs: min } = input;
	if (input.polls === 0)
		return { delayMs: clamp(FIRST_POLL_MS, min, input.pollIntervalMs), mode: 'early' };
	if (input.progressDelayMs !== undefined) {
		return { delayMs: clamp(input.progressDelayMs, min, input.pollIntervalMs), mode: 'progress' };
	}
	const max = maxGapOf(input);
	// A window opening within one gap is open: a check one gap from now lands in it either way.
	if (window?.opensAt !== undefined && window.opensAt > now + input.windowGapMs) {
		// The first check lands one gap into the window, where a finish has become likely.
		const gap = Math.min(input.windowGapMs, window.widthMs / PLAN.checksPerWindow);
		const delayMs = clamp(window.opensAt + gap - now, min, max);
		return { delayMs, mode: 'waiting' };
	}
	if (window) {
		const overshoot = Math.max(0, now - window.endsAt);
		// The width says how closely to look inside the window, nothing about a task that outlived it.
		const gap =
			overshoot > 0
				? input.windowGapMs
				: Math.min(input.windowGapMs, window.widthMs / PLAN.checksPerWindow);
		const delayMs = clamp(gap + PLAN.overdueShare * overshoot, min, max);
		return { delayMs, mode: 'window' };
	}
	return { delayMs: clamp(blindGap(input, max), min, max), mode: 'blind' };
}

/** The Poll Interval, or less while the schedule knows little of the task's model (see uncertainMaxGapMs). */
function maxGapOf(input: PlanInput): number {
	const trusted = (input.window?.samples ?? 0) >= PLAN.trustedSamples;
	return trusted ? input.pollIntervalMs : Math.min(input.pollIntervalMs, PLAN.uncertainMaxGapMs);
}

/**
 * The blind gap. The first one (after the early check) is staggered over half a gap to one and a half (the Poll
 * Interval cutting it), so that the model's tasks are not all looked at in the same instant.
 */
function blindGap(input: PlanInput, maxGapMs: number): number {
	const gap = clamp(input.peers * PLAN.blindPerPeerMs, PLAN.blindMinMs, maxGapMs);
	return input.polls === 1 ? gap * (0.5 + input.stagger) : gap;
}

/** Golden-ratio stagger: spreads the tasks of a run evenly over [0, 1) in input order. */
export function staggerOf(index: number): number {
	return (index * 0.6180339887498949) % 1;
}
