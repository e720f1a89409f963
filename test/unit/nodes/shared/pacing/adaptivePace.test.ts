import { AdaptivePace, MAX_RETRY_AFTER_MS, PACE } from '../../../../../nodes/shared/pacing/adaptivePace';
import { paceOfKey } from '../../../../../nodes/shared/pacing/adaptivePace';
import { recentlyUsed } from '../../../../../nodes/shared/perApiKey';

/** Sends `count` requests back to back as fast as the pace allows, each answered at once; returns the last start. */
function sendBusy(pace: AdaptivePace, from: number, count: number): number {
	let now = from;
	for (let i = 0; i < count; i++) {
		const ticket = pace.take(now);
		now = ticket.startAt;
		pace.succeeded(ticket);
	}
	return now;
}

describe('AdaptivePace: additive increase, multiplicative decrease', () => {
	test('starts at 10 requests/s and spaces starts 1000 / rate ms apart', () => {
		const pace = new AdaptivePace();
		expect(pace.requestsPerSecond).toBe(10);
		const first = pace.take(0);
		expect(first).toEqual({ startAt: 0, busy: false });
		expect(pace.readyAt()).toBe(100);
		expect(pace.take(0).startAt).toBe(100);
	});

	test('slow start: each request the pace held back adds 1 request/s, so the rate doubles within a second', () => {
		const pace = new AdaptivePace(5);
		pace.succeeded(pace.take(0));
		const lastStart = sendBusy(pace, 0, 5);
		expect(pace.requestsPerSecond).toBe(10);
		expect(lastStart).toBeLessThan(1000);
		sendBusy(pace, lastStart, 10);
		expect(pace.requestsPerSecond).toBe(20);
	});

	test('requests the pace did not hold back say nothing about the limit: no growth while idle', () => {
		const pace = new AdaptivePace(5);
		for (let i = 0; i < 20; i++) pace.succeeded(pace.take(i * 10_000));
		expect(pace.requestsPerSecond).toBe(5);
	});

	test('a 429 halves the rate once per burst and pauses everyone for its Retry-After', () => {
		const pace = new AdaptivePace(8);
		const tickets = [pace.take(0), pace.take(0), pace.take(0)];
		pace.rateLimited(tickets[0], 300, 2000);
		expect(pace.requestsPerSecond).toBe(4);
		// The other answers of the same burst (started before the cut) do not cut again.
		pace.rateLimited(tickets[1], 310, 2000);
		pace.rateLimited(tickets[2], 320, 2000);
		expect(pace.requestsPerSecond).toBe(4);
		expect(pace.readyAt()).toBe(2320);
		expect(pace.isPausedAt(2000)).toBe(true);
		expect(pace.take(500).startAt).toBe(2320);
		// A request started after the cut that meets a 429 is a new overload: it halves again.
		pace.rateLimited(pace.take(2400), 2600, 1000);
		expect(pace.requestsPerSecond).toBe(2);
	});

	test('after a 429 the rate grows additively: about +0.2 requests/s per second of busy sending', () => {
		const pace = new AdaptivePace(10);
		pace.rateLimited(pace.take(0), 0, 0);
		expect(pace.requestsPerSecond).toBe(5);
		let now = 0;
		let seconds = 0;
		while (pace.requestsPerSecond < 6) {
			const before = now;
			now = sendBusy(pace, now, 1);
			seconds += (now - before) / 1000;
		}
		// From 5 to 6 requests/s at +0.2 per second: about 5 s of sending.
		expect(seconds).toBeGreaterThan(4);
		expect(seconds).toBeLessThan(6.5);
	});

	test('no Retry-After: a default pause; a huge one is capped; the rate stays within its bounds', () => {
		const pace = new AdaptivePace(1);
		pace.rateLimited(pace.take(0), 0);
		expect(pace.readyAt()).toBe(PACE.defaultPauseMs);
		pace.rateLimited(pace.take(5000), 5000, 3_600_000);
		expect(pace.readyAt()).toBe(5000 + MAX_RETRY_AFTER_MS);
		for (let i = 0; i < 20; i++) pace.rateLimited(pace.take(100_000 * (i + 1)), 100_000 * (i + 1), 0);
		expect(pace.requestsPerSecond).toBe(PACE.minRate);
		expect(new AdaptivePace(1e9).requestsPerSecond).toBe(PACE.maxRate);
		expect(new AdaptivePace(Number.NaN).requestsPerSecond).toBe(PACE.initialRate);
	});
});

describe('a caller’s own bounds: the user’s ceiling and the poller’s floor', () => {
	test('a ceiling holds the caller back even when the key’s pace would let it start', () => {
		const pace = new AdaptivePace(100);
		expect(pace.readyAt({ ceilingAt: 500 })).toBe(500);
		expect(pace.take(0, { ceilingAt: 500 }).startAt).toBe(500);
	});

	test('a floor lets the caller start before the key’s next slot, booking none, but never during a 429’s pause', () => {
		const pace = new AdaptivePace(0.2);
		pace.take(0);
		expect(pace.readyAt()).toBe(5000);
		expect(pace.readyAt({ floorAt: 1000 })).toBe(1000);
		expect(pace.take(1000, { floorAt: 1000 })).toEqual({ startAt: 1000, busy: false });
		expect(pace.readyAt()).toBe(5000);
		pace.rateLimited(pace.take(5000), 5000, 3000);
		expect(pace.readyAt({ floorAt: 6000 })).toBe(8000);
	});
});

describe('perApiKey: one value per API key in the process', () => {
	test('the same base URL and key share one pace; another key or base URL has its own', () => {
		const a = paceOfKey('https://api.example.test', 'sk-one');
		expect(paceOfKey('https://api.example.test', 'sk-one')).toBe(a);
		expect(paceOfKey('https://api.example.test', 'sk-two')).not.toBe(a);
		expect(paceOfKey('https://other.example.test', 'sk-one')).not.toBe(a);
	});

	test('recentlyUsed forgets the least recently used entry beyond its size', () => {
		const map = new Map<string, number>();
		for (const key of ['a', 'b', 'c']) recentlyUsed(map, key, () => key.charCodeAt(0), 3);
		recentlyUsed(map, 'a', () => 0, 3);
		recentlyUsed(map, 'd', () => 100, 3);
		expect([...map.keys()]).toEqual(['c', 'a', 'd']);
		expect(map.get('a')).toBe(97);
	});
});
