import { RunBudget } from '../../../../../nodes/shared/poller/budget';
import { SCHEDULE } from '../../../../../nodes/shared/poller/schedule';

const bounds = { minMs: 1000, maxMs: 60_000 };
const ages = (n: number, ageMs: number) => Array.from({ length: n }, () => ageMs);

describe('RunBudget: the end spurt, paid for by what the schedule saved against the loop', () => {
	test('with many tasks left there is no spurt: the full window gap, never above the Poll Interval', () => {
		const budget = new RunBudget(100);
		expect(budget.inTail(100)).toBe(false);
		expect(budget.windowGap(ages(100, 60_000), bounds)).toBe(SCHEDULE.windowGapMs);
		expect(budget.windowGap(ages(100, 60_000), { minMs: 1000, maxMs: 2000 })).toBe(2000);
	});

	test('the last few tasks of a run that spent less than the loop are checked more often, the last most', () => {
		const budget = new RunBudget(50);
		for (let i = 0; i < 45; i++) budget.settle(60_000);
		expect(budget.inTail(3)).toBe(true);
		const fine = { minMs: 100, maxMs: 60_000 };
		const gaps = [4, 2, 1].map((left) => budget.windowGap(ages(left, 60_000), fine));
		expect(gaps[0]).toBeLessThan(SCHEDULE.windowGapMs);
		expect(gaps[1]).toBeLessThan(gaps[0]);
		expect(gaps[2]).toBeLessThan(gaps[1]);
		expect(gaps[2]).toBeGreaterThanOrEqual(fine.minMs);
	});

	test('a run that has spent more than the loop would have gets no spurt', () => {
		const budget = new RunBudget(10);
		for (let i = 0; i < 100; i++) budget.spend();
		expect(budget.inTail(1)).toBe(true);
		expect(budget.windowGap(ages(1, 20_000), bounds)).toBe(SCHEDULE.windowGapMs);
	});

	test('a big batch starts its spurt at a tenth of its tasks left, a small one at five', () => {
		expect(new RunBudget(1000).inTail(99)).toBe(true);
		expect(new RunBudget(1000).inTail(100)).toBe(false);
		expect(new RunBudget(20).inTail(4)).toBe(true);
		expect(new RunBudget(20).inTail(5)).toBe(false);
	});
});
