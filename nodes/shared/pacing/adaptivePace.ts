/**
 * The pace of one API key, learned from the API's answers as TCP learns a window (additive increase,
 * multiplicative decrease): nobody has to know the account's rate limit. Until the first 429 each request the pace
 * held back adds 1 request/s (slow start). A 429 pauses every caller for its Retry-After and halves the rate once
 * per burst; then it grows by increasePerSecond. A request that did not wait for its slot says nothing of the limit.
 * Callers add bounds of their own: a ceiling, and a floor (never in a pause). Counts time only; the caller sleeps.
 */

import { perApiKey } from '../perApiKey';

/**
 * The longest Retry-After honoured, by the key's pause here and by the transport's retry (retryPolicy.ts): a bogus
 * header (hours, or a date far ahead) must not stall a workflow.
 */
export const MAX_RETRY_AFTER_MS = 60_000;

export const PACE = {
	/** 10 requests/s at first, as TCP starts with 10 segments (RFC 6928); slow start does the rest. */
	initialRate: 10,
	/** A floor, so that a pace cut by many 429s still recovers (one request every 5 s). */
	minRate: 0.2,
	/** An upper bound after long success, so that a quiet key never bursts beyond what any API plan allows. */
	maxRate: 100,
	/** Requests/s per second of busy sending after a 429: back from half a 5/s limit in about 50 requests. */
	increasePerSecond: 0.2,
	/** A 429 without Retry-After pauses everyone this long (a longer one, at most MAX_RETRY_AFTER_MS). */
	defaultPauseMs: 1000,
};

/** One request start; `busy`: the pace held it back (it started within one spacing of the earliest allowed time). */
export type PaceTicket = { startAt: number; busy: boolean };
/** A caller's own bounds: no start before `ceilingAt`; a start at `floorAt` even before the key's next slot. */
export type OwnBounds = { ceilingAt?: number; floorAt?: number };

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

	/** Books the next start at or after `now`; a start on the caller's floor books none (others keep their slots). */
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
		const pauseMs = Math.min(Math.max(0, retryAfterMs ?? PACE.defaultPauseMs), MAX_RETRY_AFTER_MS);
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

/** The pace of an API key, shared by every request the package sends with it, from every node and execution. */
export const paceOfKey = perApiKey(() => new AdaptivePace());
