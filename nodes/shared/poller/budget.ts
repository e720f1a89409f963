import { SCHEDULE, type Bounds } from './schedule';

/**
 * The run's yardstick: what the hand-built loop (a check every 10 s per task) would have spent by now, against what
 * this run spent. The schedule saves checks while tasks cannot finish; the savings pay for the end spurt: when only
 * a few tasks are left (the execution waits on them alone), those inside their window are checked more often, but
 * only while the run has spent no more than the loop would have.
 */
const TAIL = {
	/** Leeway per task, for the early check the loop does not make (it checks first after 10 s). */
	slackPerTask: 0.5,
	/** The end spurt starts when fewer tasks than this are left… */
	tasks: 5,
	/** …or fewer than this share of the run's tasks, so that a big batch's last finishes are not noticed late. */
	share: 0.1,
};

export class RunBudget {
	private spent = 0;
	/** The loop's checks for tasks already settled. */
	private settledLoopChecks = 0;

	constructor(private readonly taskCount: number) {}

	spend(): void {
		this.spent++;
	}

	/** A task settled after `ageMs`: the loop would have checked it once per started 10 s. */
	settle(ageMs: number): void {
		this.settledLoopChecks += Math.max(1, Math.ceil(ageMs / SCHEDULE.loopIntervalMs));
	}

	/** Whether the end spurt is on with `pending` tasks left. */
	inTail(pending: number): boolean {
		return this.tailShare(pending) < 1;
	}

	/**
	 * The gap inside a finish window: shorter near the end of the run, while the run has spent no more than the loop.
	 * `pendingAgesMs`: the ages of the tasks still waiting (the loop's checks for them so far).
	 */
	windowGap(pendingAgesMs: readonly number[], bounds: Bounds): number {
		const share = this.tailShare(pendingAgesMs.length);
		const full = Math.min(SCHEDULE.windowGapMs, bounds.maxMs);
		if (share >= 1 || !this.withinLoop(pendingAgesMs)) return full;
		return Math.min(Math.max(bounds.minMs, SCHEDULE.windowGapMs * share), bounds.maxMs);
	}

	private withinLoop(pendingAgesMs: readonly number[]): boolean {
		let earned = this.settledLoopChecks + TAIL.slackPerTask * this.taskCount;
		for (const age of pendingAgesMs)
			earned += Math.floor(Math.max(0, age) / SCHEDULE.loopIntervalMs);
		return this.spent <= earned;
	}

	/** Squared: the gap shrinks slowly at first and fast for the last few, whose finish ends the execution. */
	private tailShare(pending: number): number {
		return Math.min(1, pending / Math.max(TAIL.tasks, TAIL.share * this.taskCount)) ** 2;
	}
}
