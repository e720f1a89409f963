/**
 * The finish window of a task from learned durations: where, given that it is still running, it will most likely
 * finish. The durations are smoothed with a box kernel (each one stands for "about this long"), so that a dozen
 * samples give a usable window and one sample a wide one. Pure functions.
 */

/** Tuning, each with its reason. */
const WINDOW = {
	/** The window opens where this share of the still possible durations lies below: a check 19 times in 20 later. */
	startShare: 0.05,
	/**
	 * With fewer durations than manySamples the low tail is poorly known (a new task falls below the shortest of n
	 * with chance 1 / (n + 1), over 3 % below 30): the window opens at fewSamplesStartShare, so that a task shorter
	 * than any learned one is not left unchecked before it.
	 */
	manySamples: 30,
	fewSamplesStartShare: 0.01,
	/** Below this share of the durations still ahead, the task has outlived what was learned. */
	minShareAhead: 0.02,
	/** Durations are timestamps a second apart at best (status_update_time): no finer kernel than that. */
	minBandwidthMs: 1000,
	/** Fewer samples than this say nothing about the spread: assume a fifth of their median each way. */
	fewSamples: 3,
	fewSamplesShare: 0.2,
	/** Bisection steps: 40 halvings of a range of hours end well below a millisecond. */
	bisections: 40,
};

/** Where a running task is expected to finish (epoch ms): from `opensAt` on; learned durations end at `endsAt`. */
export interface FinishWindow {
	/** Undefined when the task has outlived (almost) every learned duration. */
	opensAt?: number;
	endsAt: number;
	/** How wide the whole window is (before the task's age cut it): a narrow one is checked more closely. */
	widthMs: number;
	/** How many durations it was learned from. */
	samples: number;
}

function quantile(values: readonly number[], q: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/** The middle of the learned durations (for the hand-off's expected finish). */
export function medianDuration(durations: readonly number[]): number | undefined {
	return durations.length ? quantile(durations, 0.5) : undefined;
}

/** The kernel's half-width: Silverman's rule, robust to an outlier (interquartile range), at least a second. */
export function bandwidthOf(durations: readonly number[]): number {
	const n = durations.length;
	if (n === 0) return WINDOW.minBandwidthMs;
	if (n < WINDOW.fewSamples) {
		return Math.max(WINDOW.minBandwidthMs, WINDOW.fewSamplesShare * quantile(durations, 0.5));
	}
	const mean = durations.reduce((sum, v) => sum + v, 0) / n;
	const sd = Math.sqrt(durations.reduce((sum, v) => sum + (v - mean) ** 2, 0) / n);
	// 1.34: the interquartile range of a normal distribution in standard deviations; 0.9 n^-1/5: Silverman's factor.
	const iqr = quantile(durations, 0.75) - quantile(durations, 0.25);
	const spread = iqr > 0 ? Math.min(sd, iqr / 1.34) : sd;
	return Math.max(WINDOW.minBandwidthMs, 0.9 * spread * n ** -0.2);
}

/** Share of the smoothed durations above `u`. */
function shareAbove(u: number, durations: readonly number[], bandwidth: number): number {
	let sum = 0;
	for (const d of durations) {
		if (u <= d - bandwidth) sum += 1;
		else if (u < d + bandwidth) sum += (d + bandwidth - u) / (2 * bandwidth);
	}
	return sum / durations.length;
}

/**
 * The window of a task still running at `runningAt` (epoch ms) whose duration counts from `anchorAt`: the learned
 * durations, smoothed, kept where they exceed its age then. Undefined without durations.
 */
export function finishWindow(
	durations: readonly number[],
	anchorAt: number,
	runningAt: number,
): FinishWindow | undefined {
	if (durations.length === 0) return undefined;
	const bandwidth = bandwidthOf(durations);
	const last = Math.max(...durations) + bandwidth;
	// A few durations say where, not how wide: their window's width is unknown.
	const widthMs =
		durations.length < WINDOW.fewSamples
			? Infinity
			: last - (windowStart(durations, bandwidth, -Infinity) ?? last);
	const opensAfter = windowStart(durations, bandwidth, runningAt - anchorAt);
	const window = { endsAt: anchorAt + last, widthMs, samples: durations.length };
	return opensAfter === undefined ? window : { ...window, opensAt: anchorAt + opensAfter };
}

/**
 * The age below which the start share (startShare, or fewSamplesStartShare for few durations) of the durations
 * still possible after `age` lie (bisection); undefined when (almost) none are.
 */
function windowStart(
	durations: readonly number[],
	bandwidth: number,
	age: number,
): number | undefined {
	const from = Math.max(age, Math.min(...durations) - bandwidth);
	const ahead = shareAbove(from, durations, bandwidth);
	if (ahead < WINDOW.minShareAhead) return undefined;
	const share =
		durations.length < WINDOW.manySamples ? WINDOW.fewSamplesStartShare : WINDOW.startShare;
	let low = from;
	let high = Math.max(...durations) + bandwidth;
	for (let i = 0; i < WINDOW.bisections; i++) {
		const mid = (low + high) / 2;
		if (1 - shareAbove(mid, durations, bandwidth) / ahead >= share) high = mid;
		else low = mid;
	}
	return high;
}
