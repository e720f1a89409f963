/**
 * The progress schedule: how long to wait before polling a task that reports its progress again. Pure functions, no
 * state. The poller uses it for such tasks (plan.ts decides for the others, from learned durations); the peers
 * estimate below is the same idea within one run, which plan.ts generalises across runs.
 *
 * Heuristic: every task is polled soon after the start (FIRST_POLL_MS), which catches immediate failures and fast
 * tasks. After that the schedule predicts when the task will finish, from the best source it has:
 * 1. its own progress: the rate Δprogress/Δt between an older sample and the latest one (the run's start counts as
 *    0 % when only one sample exists), extrapolated linearly to 100 %;
 * 2. otherwise the median duration of tasks of the same model that already completed in this run (for tasks
 *    without progress, plan.ts's learned-duration windows decide instead).
 * Each prediction carries an uncertainty (progress rounding, a share of the time still to go, the spread of the
 * peers' durations). Before that window the task sleeps until the window opens (sparse polling); inside it the task
 * is polled about every second, right at the predicted finish; once past it, the prediction failed and the delay
 * grows with the overshoot. With no prediction at all, the delay grows with the elapsed time (a quarter of it).
 * Every delay is clamped to [minIntervalMs, pollIntervalMs].
 */

/** A progress reading, `atMs` since the run's start. */
export interface ProgressSample {
	atMs: number;
	progress: number;
}

export interface ScheduleInput {
	/** Time since the run's start (all tasks of a run start together). */
	elapsedMs: number;
	/** Polls of this task so far (0 = the first poll is being scheduled). */
	polls: number;
	/** Progress readings of this task, oldest first. */
	samples: readonly ProgressSample[];
	/** Durations of tasks of the same model that completed in this run. */
	peerDurationsMs: readonly number[];
	minIntervalMs: number;
	pollIntervalMs: number;
}

/** When a task is expected to finish (ms since the run's start), ± uncertaintyMs. */
export interface FinishEstimate {
	finishAtMs: number;
	uncertaintyMs: number;
	source: 'progress' | 'peers';
}

export const FIRST_POLL_MS = 1500;
/** The poll interval inside the expected-finish window; keeps detection within ~1–2 s. */
export const DENSE_INTERVAL_MS = 1000;
/** Aim this long after the predicted finish, so one poll usually both lands after it and sees it. */
const FINISH_MARGIN_MS = 250;
/** Progress samples at least this many points apart give a steadier rate than two neighbours. */
const MIN_PROGRESS_SPAN = 5;
/** Share of the remaining time added to the uncertainty: progress is rarely perfectly linear. */
const MODEL_ERROR_SHARE = 0.05;
const MIN_UNCERTAINTY_MS = 1000;
/** Without a prediction, wait this share of the elapsed time. */
const BLIND_SHARE = 0.25;
/** Past the window, wait this share of the overshoot. */
const OVERDUE_SHARE = 0.25;

export function clamp(value: number, min: number, max: number): number {
	return Math.min(Math.max(value, min), Math.max(min, max));
}

export function median(values: readonly number[]): number | undefined {
	if (values.length === 0) return undefined;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median absolute deviation: a spread that one outlier cannot inflate. */
export function medianAbsoluteDeviation(values: readonly number[]): number | undefined {
	const m = median(values);
	return m === undefined ? undefined : median(values.map((v) => Math.abs(v - m)));
}

/** Linear extrapolation of the progress readings to 100 %; undefined while progress is not rising. */
export function estimateFromProgress(
	samples: readonly ProgressSample[],
): FinishEstimate | undefined {
	if (samples.length === 0) return undefined;
	const last = samples[samples.length - 1];
	if (last.progress >= 100 || last.progress <= 0) return undefined;
	// The most recent sample far enough below the latest follows the current rate (a task may queue first at 0 %);
	// failing that the oldest lower one; failing that the run's start at 0 %.
	let ref: ProgressSample | undefined;
	for (let i = samples.length - 2; i >= 0 && !ref; i--) {
		if (samples[i].progress <= last.progress - MIN_PROGRESS_SPAN && samples[i].atMs < last.atMs)
			ref = samples[i];
	}
	ref ??= samples.find((s) => s.progress < last.progress && s.atMs < last.atMs);
	ref ??= { atMs: 0, progress: 0 };
	const span = last.progress - ref.progress;
	const dt = last.atMs - ref.atMs;
	if (span <= 0 || dt <= 0) return undefined;
	const msPerPoint = dt / span;
	const remainingMs = (100 - last.progress) * msPerPoint;
	// Readings are rounded to whole points: the rate may be off by one point in `span`, the last reading by one point.
	const uncertaintyMs = remainingMs / span + msPerPoint + MODEL_ERROR_SHARE * remainingMs;
	return {
		finishAtMs: last.atMs + remainingMs,
		uncertaintyMs: Math.max(MIN_UNCERTAINTY_MS, uncertaintyMs),
		source: 'progress',
	};
}

/** Tasks of one model in one run take similar times: expect this one near their median. */
export function estimateFromPeers(peerDurationsMs: readonly number[]): FinishEstimate | undefined {
	const m = median(peerDurationsMs);
	if (m === undefined) return undefined;
	const spread = medianAbsoluteDeviation(peerDurationsMs) ?? 0;
	// One peer says little about the spread: assume a fifth of its duration.
	const uncertaintyMs = peerDurationsMs.length < 3 ? 0.2 * m : 1.5 * spread;
	return {
		finishAtMs: m,
		uncertaintyMs: Math.max(MIN_UNCERTAINTY_MS, uncertaintyMs),
		source: 'peers',
	};
}

export function estimateFinish(
	input: Pick<ScheduleInput, 'samples' | 'peerDurationsMs'>,
): FinishEstimate | undefined {
	return estimateFromProgress(input.samples) ?? estimateFromPeers(input.peerDurationsMs);
}

/** Delay before the next poll of one task; see the module comment for the heuristic. */
export function nextPollDelay(input: ScheduleInput): number {
	const { elapsedMs: t, minIntervalMs: min, pollIntervalMs: max } = input;
	if (input.polls === 0) return clamp(FIRST_POLL_MS, min, max);
	const estimate = estimateFinish(input);
	if (!estimate) return clamp(BLIND_SHARE * t, min, max);
	const opensAt = estimate.finishAtMs - estimate.uncertaintyMs;
	const closesAt = estimate.finishAtMs + estimate.uncertaintyMs;
	if (t < opensAt) return clamp(opensAt - t, min, max);
	if (t <= closesAt) {
		// Inside the window: poll just after the predicted finish if that is near, else every dense step.
		const untilFinish = Math.max(estimate.finishAtMs - t, 0) + FINISH_MARGIN_MS;
		return clamp(Math.min(untilFinish, 2 * DENSE_INTERVAL_MS), min, max);
	}
	return clamp(DENSE_INTERVAL_MS + OVERDUE_SHARE * (t - closesAt), min, max);
}

/** Backoff after a retryable error: 1 s, 2 s, 4 s … per consecutive error, within the task's bounds. */
export function retryDelay(
	consecutiveErrors: number,
	minIntervalMs: number,
	pollIntervalMs: number,
): number {
	const exponent = Math.min(Math.max(consecutiveErrors - 1, 0), 20);
	return clamp(1000 * 2 ** exponent, minIntervalMs, pollIntervalMs);
}
