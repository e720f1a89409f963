import { perApiKey, recentlyUsed } from '../perApiKey';

/**
 * How long tasks of each model took, per API key in this n8n process, so that a new execution does not poll blind.
 * `total` counts from creation, `generation` from leaving the queue (status_update_time of a running status): a
 * task seen generating is placed by the latter, so a long queue (the API being busy) does not blur its window.
 */
export type DurationKind = 'total' | 'generation';
export type ModelDurations = Record<DurationKind, readonly number[]>;

const LIMITS = {
	/** Recent durations kept per model and kind: enough for the spread, and a model that changes is relearned. */
	perModel: 64,
	/** Models remembered; the least recently used is forgotten first (the catalogue has about 16). */
	models: 64,
};

const none = (): Record<DurationKind, number[]> => ({ total: [], generation: [] });

export class LearnedDurations {
	private readonly byModel = new Map<string, Record<DurationKind, number[]>>();

	record(model: string, kind: DurationKind, ms: number): void {
		if (!Number.isFinite(ms) || ms < 0) return;
		const entry = recentlyUsed(this.byModel, model, none, LIMITS.models);
		entry[kind].push(ms);
		if (entry[kind].length > LIMITS.perModel) entry[kind].shift();
	}

	of(model: string): ModelDurations {
		return this.byModel.get(model) ?? none();
	}
}

/** The durations learned with one API key in this process (shared by its executions, nodes and passes). */
export const durationsOfKey = perApiKey(() => new LearnedDurations());
