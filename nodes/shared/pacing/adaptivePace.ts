/**
 * The pace of one API key: how many requests may start per second, learned from the API's answers the way TCP
 * learns a connection's window (additive increase, multiplicative decrease). Nobody has to know the account's rate
 * limit: the pace rises while requests succeed, halves on a 429 and waits out its Retry-After.
 *
 * - Slow start: until the first 429 the rate grows by 1 request/s per request that had to wait for its slot, so it
 *   doubles every second of busy sending (a batch of creates reaches a fast API's speed within a few seconds).
 * - After a 429: half the rate, then +INCREASE_PER_SECOND requests/s per second of busy sending.
 * - A 429 halves once per burst: answers to requests that started before the last cut are the same overload.
 * - Requests that did not wait for a slot (the pace was not what held them back) do not raise it: an idle pace
 *   says nothing about what the API allows.
 *
 * Counts time only; the caller sleeps. Times are whatever clock the caller uses (epoch ms, or virtual in tests).
 */

/** Tuning, each with its reason. */
export const PACE = {
	/**
	 * Where a key's pace starts: 10 requests/s, as TCP starts with 10 segments (RFC 6928). Twice the poller's old
	 * fixed default; slow start doubles it within a second when the API keeps up, so a batch of 200 creates is not
	 * held back for long (before this pace, creates were not paced at all).
	 */
	initialRate: 10,
	/** A floor, so that a pace cut by many 429s still recovers (one request every 5 s). */
	minRate: 0.2,
	/** An upper bound after long success, so that a quiet key never bursts beyond what any API plan allows. */
	maxRate: 100,
	/**
	 * Growth after a 429, in requests/s per second of busy sending. From half a 5 requests/s limit back to it takes
	 * about 12 s (some 50 requests), so at most about one request in 50 meets a 429 while the pace probes the limit.
	 */
	increasePerSecond: 0.2,
	/** A 429 without Retry-After pauses everyone this long. */
	defaultPauseMs: 1000,
	/** Longest pause honoured, as for retries (retryPolicy.ts): a bogus Retry-After cannot stall a workflow. */
	maxPauseMs: 60_000,
};

/** One booked request start. */
export interface PaceTicket {
	/** When the request may start. */
	startAt: number;
	/** Whether the pace held it back (it started within one spacing of the earliest allowed time). */
	busy: boolean;
}

export class AdaptivePace {
	private rate: number;
	/** Below this rate growth is slow start; the first 429 sets it. */
	private slowStartBelow = Infinity;
	private nextStartAt = -Infinity;
	private pausedUntil = -Infinity;
	private lastCutAt = -Infinity;

	constructor(initialRate: number = PACE.initialRate) {
		this.rate = clampRate(initialRate);
	}

	/** The pace now, in request starts per second. */
	get requestsPerSecond(): number {
		return this.rate;
	}

	/** Earliest time the next request may start. */
	readyAt(): number {
		return Math.max(this.nextStartAt, this.pausedUntil);
	}

	isReady(now: number): boolean {
		return now >= this.readyAt();
	}

	/** Whether a 429's pause covers `at` (a slot booked before the 429 arrived must wait again). */
	isPausedAt(at: number): boolean {
		return at < this.pausedUntil;
	}

	/** When the last 429's pause ends: nobody starts before it, whatever their own floor. */
	pauseEndsAt(): number {
		return this.pausedUntil;
	}

	/** Books the next start at or after `now`; the caller starts its request at `startAt`. */
	take(now: number): PaceTicket {
		const startAt = Math.max(now, this.readyAt());
		const spacingMs = 1000 / this.rate;
		const busy = startAt - this.nextStartAt < spacingMs;
		this.nextStartAt = startAt + spacingMs;
		return { startAt, busy };
	}

	/**
	 * A start outside the pace's slots (a poller's floor, see pollUntilDone.ts): it is reported like any other, but
	 * books no slot, so the key's other callers keep theirs.
	 */
	takeUnpaced(now: number): PaceTicket {
		return { startAt: now, busy: false };
	}

	/** The API answered (anything but a 429): a request the pace held back raises the pace. */
	succeeded(ticket: PaceTicket): void {
		if (!ticket.busy) return;
		const step =
			this.rate < this.slowStartBelow ? 1 : PACE.increasePerSecond / Math.max(this.rate, 1);
		this.rate = clampRate(this.rate + step);
	}

	/** A 429: everyone waits `retryAfterMs` (the header's value, if any), and the pace halves once per burst. */
	rateLimited(ticket: PaceTicket, now: number, retryAfterMs?: number): void {
		const pauseMs = Math.min(Math.max(0, retryAfterMs ?? PACE.defaultPauseMs), PACE.maxPauseMs);
		this.pausedUntil = Math.max(this.pausedUntil, now + pauseMs);
		if (ticket.startAt < this.lastCutAt) return;
		this.rate = clampRate(this.rate / 2);
		this.slowStartBelow = this.rate;
		this.lastCutAt = now;
	}
}

function clampRate(rate: number): number {
	if (!Number.isFinite(rate)) return PACE.initialRate;
	return Math.min(Math.max(rate, PACE.minRate), PACE.maxRate);
}
