import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/**
 * The durable hand-off of Wait Until Done. After `handOffAfter` minutes in memory, tasks still running leave by the
 * Still Running output with `next_check_at` and `waiting_since`. Wired through n8n's Wait node (At Specified Time =
 * next_check_at) back into Wait Until Done, the execution is parked in n8n's database between passes when the Wait
 * node's wait is over 65 s: it survives restarts and holds no worker slot while parked. (A worker killed during a
 * pass still ends the whole execution in error, as any execution: n8n then replaces its saved data.)
 */

export const handOffField: INodeProperties = {
	displayName: 'Hand Off After (Minutes)',
	name: 'handOffAfter',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	description:
		"How long to wait in memory before tasks still running leave by a third output, Still Running, each with next_check_at. Connect it to a Wait node (Resume: At Specified Time, set to the item's next_check_at) and back into this node, and the execution waits in n8n's database between passes (survives restarts; holds no worker). n8n parks only waits over 65 s: for tasks without progress (Video Create, Sora) use more than 1.1 minutes. Timeout still counts from the first pass. 0 = wait in memory until Timeout.",
};

export function readHandOffAfter(ctx: IExecuteFunctions): number {
	return ctx.getNodeParameter('handOffAfter', 0, 0) as number;
}

/** When an earlier pass began waiting for this item's task (its `waiting_since`), in epoch ms. */
export function waitingSinceOf(json: IDataObject): number | undefined {
	if (typeof json.waiting_since !== 'string') return undefined;
	const at = Date.parse(json.waiting_since);
	return Number.isNaN(at) ? undefined : at;
}

/** The soonest next check: a resumed pass should have time to see progress, not spend itself on one poll. */
const MIN_RECHECK_MS = 5_000;

/**
 * `next_check_at` for every Still Running item: the earliest expected finish among them that is still ahead (so
 * n8n's Wait node, which reads one time, resumes when the first is likely done). A task already later than its
 * estimate, or one without an estimate, is checked again after one more hand-off window. Never later than the
 * earliest deadline among them: a pass that started after a task's time-out could only report it timed out.
 */
export function nextCheckAt(
	expectedFinishes: Array<number | undefined>,
	earliestDeadline: number,
	now: number,
	windowMs: number,
): string {
	const ahead = expectedFinishes.filter(
		(at): at is number => at !== undefined && at >= now + MIN_RECHECK_MS,
	);
	const at = ahead.length > 0 ? Math.min(...ahead) : now + Math.max(windowMs, MIN_RECHECK_MS);
	return new Date(Math.max(now, Math.min(at, earliestDeadline))).toISOString();
}
