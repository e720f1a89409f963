import fc from 'fast-check';
import { MinHeap } from '../../../../../nodes/shared/poller/heap';
import { Pace } from '../../../../../nodes/shared/poller/pace';

describe('Pace', () => {
	test('spaces request starts 1000 / requestsPerSecond ms apart', () => {
		const pace = new Pace(4);
		expect(pace.isReady(0)).toBe(true);
		pace.take(0);
		expect(pace.isReady(249)).toBe(false);
		expect(pace.readyAt()).toBe(250);
		pace.take(1000);
		expect(pace.readyAt()).toBe(1250);
	});

	test('a pause holds everyone until it ends, and never shortens', () => {
		const pace = new Pace(10);
		pace.take(0);
		pace.pauseUntil(5000);
		pace.pauseUntil(3000);
		expect(pace.isReady(4999)).toBe(false);
		expect(pace.readyAt()).toBe(5000);
		pace.take(5000);
		expect(pace.readyAt()).toBe(5100);
	});

	test('a nonsensical rate falls back to 1 per second', () => {
		const pace = new Pace(0);
		pace.take(0);
		expect(pace.readyAt()).toBe(1000);
	});
});

describe('MinHeap', () => {
	test('pops in time order, ties first come first served', () => {
		fc.assert(
			fc.property(fc.array(fc.integer({ min: 0, max: 50 })), (times) => {
				const heap = new MinHeap<number>();
				times.forEach((t, i) => heap.push(t, i));
				const popped: number[] = [];
				while (heap.size) popped.push(heap.pop()!);
				const expected = times.map((t, i) => [t, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
				return JSON.stringify(popped) === JSON.stringify(expected);
			}),
		);
	});
});
