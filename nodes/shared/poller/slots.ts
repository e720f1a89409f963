import { AdaptivePace, type PaceTicket } from '../pacing/adaptivePace';

/**
 * The run's floor: outside the key's pace (never in a 429's pause), each running task still gets this many looks
 * before the earliest time-out, so stray 429s that sink the pace cannot make a batch miss a finish in its last
 * quarter. With the default 30-minute time-out that is a few checks a minute: the pace decides.
 */
const FLOOR_CHECKS_PER_TASK = 4;
/** Requests in flight at once: enough to hide latency, few enough not to look like a burst to the API. */
export const MAX_IN_FLIGHT = 8;

/** When the run may start a check: room under the in-flight cap, and a start the pace, floor and ceiling allow. */
export class RequestSlots {
	readonly pace: AdaptivePace;
	private inFlight = 0;
	/** The next start the user's ceiling (Max Requests per Second, `ceilingMs` apart) and the floor allow. */
	private readonly own = { ceilingAt: -Infinity, floorAt: -Infinity };
	private readonly ceilingMs: number;
	/** Checks in flight at most. */
	readonly cap: number;

	constructor(pace = new AdaptivePace(), perSecond = 0, maxInFlight = MAX_IN_FLIGHT) {
		this.pace = pace;
		this.ceilingMs = Number.isFinite(perSecond) && perSecond > 0 ? 1000 / perSecond : 0;
		this.cap = Math.max(1, maxInFlight);
	}

	/** Earliest time the next check may start; Infinity while the in-flight cap is reached. */
	readyAt(): number {
		return this.inFlight >= this.cap ? Infinity : this.pace.readyAt(this.own);
	}

	/** A check starts at `now` (at or after readyAt), with `pending` tasks still running. */
	take(now: number, pending: ReadonlyArray<{ deadline: number }>): PaceTicket {
		const ticket = this.pace.take(now, this.own);
		const earliestDeadline = pending.reduce((at, t) => Math.min(at, t.deadline), Infinity);
		const checks = Math.max(1, FLOOR_CHECKS_PER_TASK * pending.length);
		this.own.floorAt = now + Math.max(1000, earliestDeadline - now) / checks;
		this.own.ceilingAt = now + this.ceilingMs;
		this.inFlight++;
		return ticket;
	}

	done(): void {
		this.inFlight--;
	}
}
