/**
 * The pace of one API key: how many requests may start per second, learned from the API's answers the way TCP
 * learns a connection's window (additive increase, multiplicative decrease), so nobody has to know the account's
 * rate limit. Slow start: until the first 429 each request the pace held back adds 1 request/s (the rate doubles
 * every second of busy sending). A 429 halves the rate once per burst (answers to requests started before the last
 * cut are the same overload) and pauses every caller for its Retry-After; then the rate grows by increasePerSecond
 * per second of busy sending. A request that did not wait for its slot says nothing about the limit.
 * A caller may add bounds of its own: a ceiling (the user's Max Requests per Second) and a floor (a start outside
 * the key's slots, never during a pause). Counts time only, on the caller's clock; the caller sleeps.
 */

/** Tuning, each with its reason. */
export const PACE = {
	/** Where a key's pace starts: 10 requests/s, as TCP starts with 10 segments (RFC 6928); slow start does the rest. */
	initialRate: 10,
	/** A floor, so that a pace cut by many 429s still recovers (one request every 5 s). */
	minRate: 0.2,
	/** An upper bound after long success, so that a quiet key never bursts beyond what any API plan allows. */
	maxRate: 100,
	/** From half a 5 requests/s limit back to it in about 12 s: about one request in 50 meets a 429 while probing. */
	increasePerSecond: 0.2,
	/** A 429 without Retry-After pauses everyone this long. */
	defaultPauseMs: 1000,
	/** Longest pause honoured, as for retries (retryPolicy.ts): a bogus Retry-After cannot stall a workflow. */
	maxPauseMs: 60_000,
};

/** One request start; `busy`: the pace held it back (it started within one spacing of the earliest allowed time). */
export interface PaceTicket {
	startAt: number;
	busy: boolean;
}

/** A caller's own bounds: no start before `ceilingAt`; a start at `floorAt` even before the key's next slot. */
export interface OwnBounds {
	ceilingAt?: number;
	floorAt?: number;
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

	get requestsPerSecond(): number {
		return this.rate;
	}

	/** Earliest time the next request may start: the key's next slot (or the caller's floor), never in a pause. */
	readyAt(own: OwnBounds = {}): number {
		const slotAt = Math.min(this.nextStartAt, own.floorAt ?? Infinity);
		return Math.max(slotAt, this.pausedUntil, own.ceilingAt ?? -Infinity);
	}

	/** Whether a 429's pause covers `at` (a slot booked before the 429 arrived must wait again). */
	isPausedAt(at: number): boolean {
		return at < this.pausedUntil;
	}

	/**
	 * Books the next start at or after `now`. A caller that starts on its floor before the key's next slot books none
	 * (the key's other callers keep theirs) and reports the answer all the same.
	 */
	take(now: number, own: OwnBounds = {}): PaceTicket {
		const startAt = Math.max(now, this.readyAt({ ceilingAt: own.ceilingAt }));
		if (own.floorAt !== undefined && startAt > now) return { startAt: now, busy: false };
		const spacingMs = 1000 / this.rate;
		const busy = startAt - this.nextStartAt < spacingMs;
		this.nextStartAt = startAt + spacingMs;
		return { startAt, busy };
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
