import { bornBy, finishedAt, mayTimeOut, newTask, observe, type Task } from '../../../../../nodes/shared/poller/taskState';

const task = (extra: Partial<Task> = {}): Task => ({ ...newTask({ key: 0, taskId: 't' }, 0, 10_000, 60_000), ...extra });

describe('observe: what an answer says about the task’s life', () => {
	test('a queued status dates the creation; a running one the generation start; a final one neither', () => {
		const t = task();
		observe(t, { status: 'pending', statusSinceMs: 9000, raw: {} }, 12_000);
		expect(t.createdAt).toBe(9000);
		observe(t, { status: 'Processing', statusSinceMs: 11_000, raw: {} }, 13_000);
		expect(t.generatingSince).toBe(11_000);
		const done = task();
		observe(done, { status: 'COMPLETED', statusSinceMs: 20_000, raw: {} }, 21_000);
		expect([done.createdAt, done.generatingSince]).toEqual([undefined, undefined]);
	});

	test('created_at wins; the first reading stays; a time in the future is not believed', () => {
		const t = task();
		observe(t, { status: 'pending', createdAtMs: 8000, statusSinceMs: 9000, raw: {} }, 12_000);
		observe(t, { status: 'pending', createdAtMs: 8500, raw: {} }, 13_000);
		expect(t.createdAt).toBe(8000);
		const late = task();
		observe(late, { status: 'processing', statusSinceMs: 60_000, raw: {} }, 12_000);
		expect(late.generatingSince).toBeUndefined();
	});

	test('progress readings are kept, counted from the start of waiting, the recent ones only', () => {
		const t = task();
		for (let i = 1; i <= 20; i++) observe(t, { status: 'processing', progress: i, raw: {} }, 10_000 + 1000 * i);
		expect(t.samples).toHaveLength(16);
		expect(t.samples[t.samples.length - 1]).toEqual({ atMs: 20_000, progress: 20 });
		observe(t, { status: 'processing', progress: Number.NaN, raw: {} }, 40_000);
		expect(t.samples).toHaveLength(16);
	});
});

describe('mayTimeOut: never before the task’s first answer', () => {
	test('past its deadline a task times out only once a check of it has come back', () => {
		expect(mayTimeOut(task(), 80_000)).toBe(false);
		expect(mayTimeOut(task({ polls: 1, checking: true }), 80_000)).toBe(false);
		expect(mayTimeOut(task({ polls: 1 }), 80_000)).toBe(true);
		expect(mayTimeOut(task({ polls: 1 }), 60_000)).toBe(false);
		expect(mayTimeOut(task({ polls: 1, settled: true }), 80_000)).toBe(false);
	});
});

describe('when a task was born and when it finished', () => {
	test('bornBy: its creation, else the earlier of generation start and the start of waiting', () => {
		expect(bornBy(task({ createdAt: 5000 }))).toBe(5000);
		expect(bornBy(task({ generatingSince: 7000 }))).toBe(7000);
		expect(bornBy(task())).toBe(10_000);
	});

	test('finishedAt: the API’s time when it falls since the task was last seen running, else the middle', () => {
		const seen = task({ seenRunningAt: 20_000 });
		expect(finishedAt(seen, { status: 'completed', statusSinceMs: 24_000, raw: {} }, 26_000)).toBe(24_000);
		expect(finishedAt(seen, { status: 'completed', statusSinceMs: 5000, raw: {} }, 26_000)).toBe(23_000);
		expect(finishedAt(seen, { status: 'completed', raw: {} }, 30_000)).toBe(25_000);
	});
});
