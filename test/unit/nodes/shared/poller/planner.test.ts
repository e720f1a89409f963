import { LearnedDurations } from '../../../../../nodes/shared/poller/learnedDurations';
import { RunPlanner } from '../../../../../nodes/shared/poller/planner';
import { SCHEDULE } from '../../../../../nodes/shared/poller/schedule';
import { MAX_IN_FLIGHT } from '../../../../../nodes/shared/poller/slots';
import { newTask, type Task } from '../../../../../nodes/shared/poller/taskState';

const bounds = { minMs: 100, maxMs: 60_000 };
const tasksOf = (n: number, model = 'veo3'): Task[] =>
	Array.from({ length: n }, (_, i) => ({ ...newTask({ key: i, taskId: `t${i}`, model }, i, 0, 600_000), createdAt: 0 }));

/** Every task checked once and seen running at `at`, its next check planned. */
function runningAt(planner: RunPlanner, tasks: Task[], at: number) {
	for (const t of tasks) {
		Object.assign(t, { polls: t.polls + 1, lastPollAt: at, seenRunningAt: at });
		planner.spend();
		planner.plan(t, at);
	}
}

describe('RunPlanner: how the tasks of a run inform each other', () => {
	test('the first finish of a model teaches its duration and brings its blind peers’ checks within one window gap', () => {
		const durations = new LearnedDurations();
		const tasks = tasksOf(10);
		const planner = new RunPlanner(tasks, durations, bounds, MAX_IN_FLIGHT);
		runningAt(planner, tasks, 2000);
		expect(tasks.every((t) => t.mode === 'blind')).toBe(true);
		Object.assign(tasks[0], { settled: true });
		planner.settled(tasks[0], 30_000);
		planner.finished(tasks[0], 29_000, 30_000);
		expect(durations.of('veo3').total).toEqual([29_000]);
		for (const peer of tasks.slice(1)) {
			expect(peer.mode).toBe('window');
			expect(peer.dueAt).toBeLessThanOrEqual(30_000 + SCHEDULE.windowGapMs);
		}
	});

	test('peers as old as the finished task took, not asked since it finished, are asked at once: at most one round of the in-flight cap, the longest unasked first', () => {
		const tasks = tasksOf(12);
		const planner = new RunPlanner(tasks, new LearnedDurations(), bounds, MAX_IN_FLIGHT);
		runningAt(planner, tasks, 2000);
		// Asked at 20 s, 21 s, … 30 s (task 11 last), after task 0 finished (at 25 s) for tasks 6 to 11.
		tasks.slice(1).forEach((t, i) => {
			Object.assign(t, { lastPollAt: 20_000 + 1000 * i });
			planner.plan(t, t.lastPollAt!);
		});
		Object.assign(tasks[0], { settled: true });
		planner.settled(tasks[0], 32_000);
		planner.finished(tasks[0], 25_000, 32_000);
		const atOnce = tasks.slice(1).filter((t) => t.dueAt === 32_000);
		expect(atOnce.map((t) => t.index)).toEqual([1, 2, 3, 4, 5]);
		// Younger than 25 s: a task created after task 0 is not asked at once, whatever its last check.
		const young = tasksOf(3);
		Object.assign(young[1], { createdAt: 10_000 });
		const second = new RunPlanner(young, new LearnedDurations(), bounds, MAX_IN_FLIGHT);
		runningAt(second, young, 2000);
		runningAt(second, young, 20_000);
		Object.assign(young[0], { settled: true });
		second.finished(young[0], 25_000, 29_000);
		expect(young[1].dueAt).toBeGreaterThan(29_000);
		expect(young[2].dueAt).toBe(29_000);
		// A big batch: no more than the in-flight cap at once.
		const many = tasksOf(40);
		const third = new RunPlanner(many, new LearnedDurations(), bounds, MAX_IN_FLIGHT);
		runningAt(third, many, 2000);
		runningAt(third, many.slice(0, 30), 20_000);
		runningAt(third, many.slice(30), 15_000);
		Object.assign(many[0], { settled: true });
		third.finished(many[0], 25_000, 30_000);
		// The longest unasked first: tasks 30–39 were last asked at 15 s, the others at 20 s.
		const first = many.filter((t) => t.dueAt === 30_000).map((t) => t.index);
		expect(first).toHaveLength(MAX_IN_FLIGHT);
		expect(first.every((index) => index >= 30)).toBe(true);
	});

	test('the end spurt: the last tasks inside their window are looked at sooner, while the run spent no more than the loop', () => {
		const durations = new LearnedDurations();
		for (let i = 0; i < 20; i++) durations.record('veo3', 'total', 40_000 + 500 * i);
		const tasks = tasksOf(20);
		const planner = new RunPlanner(tasks, durations, bounds, MAX_IN_FLIGHT);
		runningAt(planner, tasks, 45_000);
		const gapOf = (t: Task) => t.dueAt - 45_000;
		expect(gapOf(tasks[19])).toBe(SCHEDULE.windowGapMs);
		for (const t of tasks.slice(0, 18)) {
			t.settled = true;
			planner.settled(t, 45_000);
		}
		expect(gapOf(tasks[19])).toBeLessThan(SCHEDULE.windowGapMs);
	});

	test('no spurt for a run that has spent more than the loop would have', () => {
		const durations = new LearnedDurations();
		for (let i = 0; i < 20; i++) durations.record('veo3', 'total', 40_000 + 500 * i);
		const tasks = tasksOf(20);
		const planner = new RunPlanner(tasks, durations, bounds, MAX_IN_FLIGHT);
		for (let i = 0; i < 1000; i++) planner.spend();
		runningAt(planner, tasks, 45_000);
		for (const t of tasks.slice(0, 19)) {
			t.settled = true;
			planner.settled(t, 45_000);
		}
		expect(tasks[19].dueAt - 45_000).toBe(SCHEDULE.windowGapMs);
	});

	test('a task handed off carries its deadline, its creation and the median of its model’s durations', () => {
		const durations = new LearnedDurations();
		for (const ms of [30_000, 40_000, 50_000]) durations.record('veo3', 'total', ms);
		const [task] = tasksOf(1);
		expect(new RunPlanner([task], durations, bounds, MAX_IN_FLIGHT).handedOn(task)).toEqual({ deadlineMs: 600_000, createdAtMs: 0, expectedFinishAtMs: 40_000 });
	});
});
