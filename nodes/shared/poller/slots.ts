import { AdaptivePace, type PaceTicket } from '../pacing/adaptivePace';

/**
 * The run's floor: it may start a check outside the key's pace (never during a 429's pause) often enough for each
 * task still running to be looked at this many times before the earliest time-out. A pace that stray 429s (ones
 * that do not follow the request rate) keep halving cannot make a batch miss its time-out; with the default
 * 30-minute time-out the floor is a few checks a minute and the pace decides.
 */
const FLOOR_CHECKS_PER_TASK = 4;
/** Requests in flight at once: enough to hide latency, few enough not to look like a burst to the API. */
const MAX_IN_FLIGHT = 8;

/** When the run may start a check: room under the in-flight cap, and a start the pace, floor and ceiling allow. */
export class RequestSlots {
	private inFlight = 0;
	/** The next start the user's ceiling (Max Requests per Second) and the run's floor allow. */
	private readonly own = { ceilingAt: -Infinity, floorAt: -Infinity };
	private readonly ceilingSpacingMs: number;

	constructor(
		readonly pace = new AdaptivePace(),
		requestsPerSecond = 0,
		private readonly maxInFlight = MAX_IN_FLIGHT,
	) {
		const ceiling = Number.isFinite(requestsPerSecond) && requestsPerSecond > 0;
		this.ceilingSpacingMs = ceiling ? 1000 / requestsPerSecond : 0;
	}

	/** Earliest time the next check may start; Infinity while the in-flight cap is reached. */
	readyAt(): number {
		return this.inFlight >= Math.max(1, this.maxInFlight) ? Infinity : this.pace.readyAt(this.own);
	}

	/** A check starts at `now` (at or after readyAt), with `pending` tasks still running. */
	take(now: number, pending: ReadonlyArray<{ deadline: number }>): PaceTicket {
		const ticket = this.pace.take(now, this.own);
		const earliestDeadline = Math.min(...pending.map((t) => t.deadline));
		const secondsLeft = Math.max(1, (earliestDeadline - now) / 1000);
		const checks = Math.max(1, FLOOR_CHECKS_PER_TASK * pending.length);
		this.own.floorAt = now + (1000 * secondsLeft) / checks;
		this.own.ceilingAt = now + this.ceilingSpacingMs;
		this.inFlight++;
		return ticket;
	}

	/** A check came back. */
	done(): void {
		this.inFlight--;
	}
}
