/**
 * Global pacing across all tasks of a run: request starts are spaced at least 1000 / requestsPerSecond ms apart
 * (so no 1-second window ever holds more than requestsPerSecond starts), and a 429's Retry-After pauses everyone.
 * Only counts time; the caller decides when to sleep.
 */
export class Pace {
	private readonly spacingMs: number;
	private nextStartAt = -Infinity;
	private pausedUntil = -Infinity;

	constructor(requestsPerSecond: number) {
		const rps = Number.isFinite(requestsPerSecond) && requestsPerSecond > 0 ? requestsPerSecond : 1;
		this.spacingMs = 1000 / rps;
	}

	/** Earliest time the next request may start. */
	readyAt(): number {
		return Math.max(this.nextStartAt, this.pausedUntil);
	}

	isReady(now: number): boolean {
		return now >= this.readyAt();
	}

	/** Record a request start at `now`. */
	take(now: number): void {
		this.nextStartAt = Math.max(now, this.readyAt()) + this.spacingMs;
	}

	/** A 429: nobody starts a request before `until`. */
	pauseUntil(until: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, until);
	}
}
