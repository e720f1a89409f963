import type { LearnedDurations } from './learnedDurations';
import { SCHEDULE, type Bounds, expectedFinish, nextCheck, staggerOf } from './schedule';
import { bornBy, type Task } from './taskState';

/**
 * The schedule of one run: when each task is due (schedule.ts), and how its tasks inform each other: a finish
 * teaches its model's durations and opens its peers' window. The end spurt: with few tasks left (the execution waits
 * on them alone) those in their window look more often, while the run has spent no more than the 10-s loop would.
 */
const TAIL = {
	/** Budget leeway per task, for the early check the loop does not make. */
	slackPerTask: 0.5,
	/** The spurt starts with fewer tasks than this left, or fewer than `share` of them (a big batch's last few). */
	tasks: 5,
	share: 0.1,
};

export class RunPlanner {
	private readonly byModel = new Map<string, Task[]>();
	/** Checks spent, and what the loop would have spent on the tasks already settled. */
	private spent = 0;
	private loopSpent = 0;
	/** The tasks not yet settled, in input order (the run's scans look at these alone). */
	pending: readonly Task[];

	constructor(
		private readonly tasks: readonly Task[],
		private readonly durations: LearnedDurations,
		private readonly bounds: Bounds,
		/** The run's cap on checks in flight: a finish asks at most this many peers at once. */
		private readonly maxInFlight: number,
	) {
		this.pending = tasks;
		for (const task of tasks) {
			if (!this.byModel.has(modelOf(task))) this.byModel.set(modelOf(task), []);
			this.byModel.get(modelOf(task))!.push(task);
		}
	}

	plan(task: Task, now: number): void {
		const check = this.nextCheckOf(task, now);
		task.mode = check.mode;
		task.dueAt = check.at;
	}

	spend(): void {
		this.spent++;
	}

	nextDue(): Task | undefined {
		let next: Task | undefined;
		for (const t of this.pending) {
			if (t.checking || t.dueAt === Infinity) continue;
			if (!next || t.dueAt < next.dueAt) next = t;
		}
		return next;
	}

	/** A task finished at `doneAt`: its durations join what its API key knows, and its peers look sooner. */
	finished(task: Task, doneAt: number, now: number): void {
		const [model, { createdAt, generatingSince }] = [modelOf(task), task];
		if (createdAt !== undefined) this.durations.record(model, 'total', doneAt - createdAt);
		if (generatingSince !== undefined)
			this.durations.record(model, 'generation', doneAt - generatingSince);
		// Peers blind or asleep whose window is now open look within one gap, staggered so they are not all asked at
		// once. Those as old as this task took and not asked since it finished may have finished too: the longest
		// unasked of them, one round of the in-flight cap, are asked at once.
		const gap = this.windowGap(now);
		const tookMs = doneAt - bornBy(task);
		const askedAt = (t: Task) => t.lastPollAt ?? -Infinity;
		const opened = this.byModel.get(model)!.filter((peer) => {
			if (peer.settled || (peer.mode !== 'blind' && peer.mode !== 'waiting')) return false;
			return this.nextCheckOf(peer, now, gap).mode === 'window';
		});
		const atOnce = opened
			.filter((peer) => now - bornBy(peer) >= tookMs && askedAt(peer) < doneAt)
			.sort((x, y) => askedAt(x) - askedAt(y))
			.slice(0, this.maxInFlight);
		for (const peer of opened) {
			peer.mode = 'window';
			this.moveUp(peer, atOnce.includes(peer) ? now : now + gap * staggerOf(peer.index + 1));
		}
	}

	/** A task settled: the loop would have checked it once per started 10 s of its life. Then the end spurt. */
	settled(task: Task, now: number): void {
		this.loopSpent += Math.max(1, Math.ceil((now - bornBy(task)) / SCHEDULE.loopIntervalMs));
		this.pending = this.pending.filter((t) => t !== task);
		if (this.tailShare() >= 1) return;
		const gap = this.windowGap(now);
		for (const t of this.pending) if (t.mode === 'window') this.moveUp(t, now + gap);
	}

	/** What a task handed off carries to the next pass: its deadline, creation and expected finish. */
	handedOn(task: Task) {
		const expectedFinishAtMs = expectedFinish(task, this.durations.of(modelOf(task)));
		return { deadlineMs: task.deadline, createdAtMs: task.createdAt, expectedFinishAtMs };
	}

	/** Brings a task's next check forward to `at` (never sooner than the least gap after its last one). */
	private moveUp(task: Task, at: number): void {
		const earliest = Math.max(at, (task.lastPollAt ?? -Infinity) + this.bounds.minMs);
		if (!task.settled && !task.checking && earliest < task.dueAt) task.dueAt = earliest;
	}

	private nextCheckOf(task: Task, now: number, windowGapMs = this.windowGap(now)) {
		const [durations, peers] = [this.durations.of(modelOf(task)), this.byModel.get(modelOf(task))!];
		const known = { durations, peers: peers.length, windowGapMs };
		return nextCheck(task, now, known, this.bounds);
	}

	/** The gap inside a window: shorter in the end spurt, while the run has spent no more than the loop. */
	private windowGap(now: number): number {
		const share = this.tailShare();
		// Only in the spurt is the budget counted (it takes a look at every task).
		if (share >= 1 || !this.withinLoop(now))
			return Math.min(SCHEDULE.windowGapMs, this.bounds.maxMs);
		return Math.min(Math.max(this.bounds.minMs, SCHEDULE.windowGapMs * share), this.bounds.maxMs);
	}

	private withinLoop(now: number): boolean {
		let earned = this.loopSpent + TAIL.slackPerTask * this.tasks.length;
		for (const t of this.pending)
			earned += Math.floor(Math.max(0, now - bornBy(t)) / SCHEDULE.loopIntervalMs);
		return this.spent <= earned;
	}

	/** The share of the full window gap in the spurt (1: none); squared, so the last few, which end it, look most. */
	private tailShare(): number {
		const share = this.pending.length / Math.max(TAIL.tasks, TAIL.share * this.tasks.length);
		return Math.min(1, share) ** 2;
	}
}

function modelOf(task: Task): string {
	return task.target.model ?? '';
}
