import { RunBudget } from './budget';
import type { LearnedDurations } from './learnedDurations';
import { type Bounds, expectedFinish, nextCheck, staggerOf } from './schedule';
import { bornBy, type Task } from './taskState';

/**
 * The schedule of one run: when each task is due (schedule.ts decides, with what is known of its model), and how
 * the tasks inform each other. A finish teaches its model's durations and opens its peers' window; when few tasks
 * are left, those inside their window are checked sooner, within the run's budget (budget.ts).
 */
export class RunPlanner {
	readonly budget: RunBudget;
	/** This run's tasks per model. */
	private readonly byModel = new Map<string, Task[]>();
	/** Plans made so far: of two checks due at once, the one planned first goes first. */
	private plans = 0;

	constructor(
		private readonly tasks: readonly Task[],
		private readonly durations: LearnedDurations,
		private readonly bounds: Bounds,
	) {
		this.budget = new RunBudget(tasks.length);
		for (const task of tasks) {
			if (!this.byModel.has(modelOf(task))) this.byModel.set(modelOf(task), []);
			this.byModel.get(modelOf(task))!.push(task);
		}
	}

	/** Plans the task's next check after an answer (or before its first check). */
	plan(task: Task, now: number): void {
		const check = nextCheck(task, now, this.knowledgeOf(task, now), this.bounds);
		task.mode = check.mode;
		this.setDue(task, check.at);
	}

	/** A check at `at`, whatever the schedule says (a retry, a 429's pause). */
	setDue(task: Task, at: number): void {
		task.dueAt = at;
		task.dueSeq = ++this.plans;
	}

	/** The waiting task whose check is due first. */
	nextDue(): Task | undefined {
		let next: Task | undefined;
		for (const t of this.tasks) {
			if (t.settled || t.checking || t.dueAt === Infinity) continue;
			if (!next || t.dueAt < next.dueAt || (t.dueAt === next.dueAt && t.dueSeq < next.dueSeq))
				next = t;
		}
		return next;
	}

	/** A task finished at `doneAt`: its durations join what its API key knows, and its peers look sooner. */
	finished(task: Task, doneAt: number, now: number): void {
		const model = modelOf(task);
		if (task.createdAt !== undefined)
			this.durations.record(model, 'total', doneAt - task.createdAt);
		if (task.generatingSince !== undefined) {
			this.durations.record(model, 'generation', doneAt - task.generatingSince);
		}
		// Peers blind or asleep whose window is now open: each within one gap, staggered so they are not all asked at once.
		const gap = this.windowGap(now);
		for (const peer of this.byModel.get(model)!) {
			if (peer.settled || (peer.mode !== 'blind' && peer.mode !== 'waiting')) continue;
			if (nextCheck(peer, now, this.knowledgeOf(peer, now), this.bounds).mode !== 'window')
				continue;
			peer.mode = 'window';
			this.moveUp(peer, now + gap * staggerOf(peer.index + 1));
		}
	}

	/** A task settled. Few tasks left: the execution waits on them alone, so those in their window look sooner. */
	settled(task: Task, now: number): void {
		this.budget.settle(now - bornBy(task));
		const pending = this.tasks.filter((t) => !t.settled);
		if (!this.budget.inTail(pending.length)) return;
		const gap = this.windowGap(now);
		for (const t of pending) if (t.mode === 'window') this.moveUp(t, now + gap);
	}

	/** What a task handed off carries to the next pass: its deadline, creation and expected finish. */
	handedOn(task: Task) {
		const expectedFinishAtMs = expectedFinish(task, this.durations.of(modelOf(task)));
		return { deadlineMs: task.deadline, createdAtMs: task.createdAt, expectedFinishAtMs };
	}

	/** Brings a task's next check forward to `at` (never sooner than the least gap after its last one). */
	private moveUp(task: Task, at: number): void {
		const earliest = Math.max(at, (task.lastPollAt ?? -Infinity) + this.bounds.minMs);
		if (!task.settled && !task.checking && earliest < task.dueAt) this.setDue(task, earliest);
	}

	private knowledgeOf(task: Task, now: number) {
		const peers = this.byModel.get(modelOf(task))!.length;
		return { durations: this.durations.of(modelOf(task)), peers, windowGapMs: this.windowGap(now) };
	}

	private windowGap(now: number): number {
		const ages = this.tasks.filter((t) => !t.settled).map((t) => now - bornBy(t));
		return this.budget.windowGap(ages, this.bounds);
	}
}

function modelOf(task: Task): string {
	return task.target.model ?? '';
}
