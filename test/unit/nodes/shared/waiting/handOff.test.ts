import { nextCheckAt, waitingSinceOf } from '../../../../../nodes/shared/waiting/handOff';

const NOW = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('nextCheckAt', () => {
	test('the earliest expected finish still ahead', () => {
		expect(nextCheckAt([NOW + 90_000, NOW + 40_000, undefined], Infinity, NOW, 60_000)).toBe(iso(NOW + 40_000));
	});

	test('no estimate, or only past ones: one more hand-off window', () => {
		expect(nextCheckAt([undefined], Infinity, NOW, 60_000)).toBe(iso(NOW + 60_000));
		expect(nextCheckAt([NOW - 10_000, NOW + 1000], Infinity, NOW, 60_000)).toBe(iso(NOW + 60_000));
	});

	test('an estimate beyond the window is kept: a 10-minute video parks once, not ten times', () => {
		expect(nextCheckAt([NOW + 10 * 60_000], Infinity, NOW, 60_000)).toBe(iso(NOW + 10 * 60_000));
	});

	test('never sooner than 5 s', () => {
		expect(nextCheckAt([], Infinity, NOW, 1000)).toBe(iso(NOW + 5000));
	});
});

describe('nextCheckAt and the deadline', () => {
	test('never later than the earliest deadline of the tasks handed on (Hand Off After 2 min, Timeout 30 min, pass at 29.5 min)', () => {
		const deadline = NOW + 30_000;
		expect(nextCheckAt([undefined], deadline, NOW, 2 * 60_000)).toBe(iso(deadline));
		expect(nextCheckAt([NOW + 10 * 60_000], deadline, NOW, 2 * 60_000)).toBe(iso(deadline));
	});

	test('a deadline already past: look again at once', () => {
		expect(nextCheckAt([undefined], NOW - 1000, NOW, 60_000)).toBe(iso(NOW));
	});
});

describe('waitingSinceOf', () => {
	test('reads an ISO waiting_since; anything else is no earlier pass', () => {
		expect(waitingSinceOf({ waiting_since: iso(NOW) })).toBe(NOW);
		expect(waitingSinceOf({ waiting_since: 'yesterday' })).toBeUndefined();
		expect(waitingSinceOf({ waiting_since: 12 })).toBeUndefined();
		expect(waitingSinceOf({})).toBeUndefined();
	});
});
