import { nextCheckAt, waitingSinceOf } from '../../../../../nodes/shared/waiting/handOff';

const NOW = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('nextCheckAt', () => {
	test('the earliest expected finish still ahead', () => {
		expect(nextCheckAt([NOW + 90_000, NOW + 40_000, undefined], NOW, 60_000)).toBe(iso(NOW + 40_000));
	});

	test('no estimate, or only past ones: one more hand-off window', () => {
		expect(nextCheckAt([undefined], NOW, 60_000)).toBe(iso(NOW + 60_000));
		expect(nextCheckAt([NOW - 10_000, NOW + 1000], NOW, 60_000)).toBe(iso(NOW + 60_000));
	});

	test('an estimate beyond the window is kept: a 10-minute video parks once, not ten times', () => {
		expect(nextCheckAt([NOW + 10 * 60_000], NOW, 60_000)).toBe(iso(NOW + 10 * 60_000));
	});

	test('never sooner than 5 s', () => {
		expect(nextCheckAt([], NOW, 1000)).toBe(iso(NOW + 5000));
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
