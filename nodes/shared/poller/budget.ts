/**
 * The run's yardstick: what the hand-built loop (a check every 10 s per task) would have spent by now, against what
 * this run spent. The schedule saves checks while tasks cannot finish; the savings pay for the end spurt: when only
 * a few tasks are left (the execution waits on them alone), they are checked more often, but only while the run
 * has spent no more than the loop would have.
 */

/** Tuning, each with its reason. */
export const BUDGET = {
	/** The hand-built loop's interval: the API document's examples poll every 10 s. */
	loopIntervalMs: 10_000,
	/** Leeway per task, for the early check the loop does not make (it checks first after 10 s). */
	slackPerTask: 0.5,
	/** The end spurt starts when fewer tasks than this are left… */
	tailTasks: 5,
	/** …or fewer than this share of the run's tasks, so that a big batch's last finishes are not noticed late. */
	tailShare: 0.1,
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
		this.settledLoopChecks += Math.max(1, Math.ceil(ageMs / BUDGET.loopIntervalMs));
	}

	/** Whether this run has spent no more than the loop by now; `pendingAgesMs`: the ages of tasks still waiting. */
	withinLoop(pendingAgesMs: readonly number[]): boolean {
		let earned = this.settledLoopChecks + BUDGET.slackPerTask * this.taskCount;
		for (const age of pendingAgesMs) earned += Math.floor(Math.max(0, age) / BUDGET.loopIntervalMs);
		return this.spent <= earned;
	}

	/**
	 * The share of the full window gap to use with `pending` tasks left (1: no end spurt). Squared: the gap shrinks
	 * slowly at first and fast for the last few, whose finish ends the execution.
	 */
	tailShare(pending: number): number {
		const share = pending / Math.max(BUDGET.tailTasks, BUDGET.tailShare * this.taskCount);
		return Math.min(1, share) ** 2;
	}
}
