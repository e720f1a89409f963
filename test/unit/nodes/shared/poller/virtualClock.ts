import type { PollClock } from '../../../../../nodes/shared/poller/types';

interface Timer {
	at: number;
	seq: number;
	fire(): void;
}

/** Lets every pending promise callback run: setImmediate fires only once the microtask queue is empty. */
const settleMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Deterministic virtual time. `sleep` registers a timer; `run` lets the code under test run until it is idle, then
 * jumps to the earliest timer, and so on until the awaited promise settles. No real time passes.
 */
export class VirtualClock implements PollClock {
	private time = 0;
	private seq = 0;
	private timers: Timer[] = [];

	now(): number {
		return this.time;
	}

	sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
		if (signal?.aborted) return Promise.resolve(false);
		return new Promise<boolean>((resolve) => {
			const timer: Timer = {
				at: this.time + Math.max(0, ms),
				seq: this.seq++,
				fire: () => {
					signal?.removeEventListener('abort', onAbort);
					resolve(true);
				},
			};
			const onAbort = () => {
				this.timers = this.timers.filter((t) => t !== timer);
				resolve(false);
			};
			signal?.addEventListener('abort', onAbort, { once: true });
			this.timers.push(timer);
		});
	}

	/** Calls `fn` at virtual time `at`. */
	at(at: number, fn: () => void): void {
		this.timers.push({ at, seq: this.seq++, fire: fn });
	}

	/** A promise that never settles (a hung request) — no timer, so it does not keep virtual time moving. */
	hang<T>(): Promise<T> {
		return new Promise<T>(() => {});
	}

	async run<T>(promise: Promise<T>): Promise<T> {
		let settled = false;
		promise.then(
			() => (settled = true),
			() => (settled = true),
		);
		for (;;) {
			await settleMicrotasks();
			if (settled) return await promise;
			if (this.timers.length === 0) throw new Error(`Deadlock at virtual ${this.time} ms: nothing pending`);
			this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
			const next = this.timers.shift()!;
			this.time = Math.max(this.time, next.at);
			next.fire();
		}
	}
}
