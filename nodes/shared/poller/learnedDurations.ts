import { perApiKey, recentlyUsed } from '../pacing/perKey';

/**
 * How long tasks of each model took, remembered per API key in this n8n process (durationsOfKey), so that the first
 * tasks of a model in a new execution are not polled blind.
 *
 * Two durations per finished task, where the API's timestamps allow: `total`, from creation to done, and
 * `generation`, from the moment it left the queue (a running, non-queued status's status_update_time) to done.
 * Queueing depends on how busy the API is; generation on the model and the video. A task seen generating is
 * predicted from the generation durations, so a long queue does not blur its window.
 */
export type DurationKind = 'total' | 'generation';

export type ModelDurations = Record<DurationKind, readonly number[]>;

/** Tuning, each with its reason. */
const LIMITS = {
	/** Recent durations kept per model and kind: enough for the spread, and a model that changes is relearned. */
	perModel: 64,
	/** Models remembered; the least recently used is forgotten first (the catalogue has about 16). */
	models: 64,
};

const NONE: ModelDurations = { total: [], generation: [] };

export class LearnedDurations {
	private readonly byModel = new Map<string, Record<DurationKind, number[]>>();

	record(model: string, kind: DurationKind, ms: number): void {
		if (!Number.isFinite(ms) || ms < 0) return;
		const make = () => ({ total: [], generation: [] });
		const entry = recentlyUsed(this.byModel, model, make, LIMITS.models);
		entry[kind].push(ms);
		if (entry[kind].length > LIMITS.perModel) entry[kind].shift();
	}

	of(model: string): ModelDurations {
		return this.byModel.get(model) ?? NONE;
	}
}

/** The durations learned with one API key in this process (shared by its executions, nodes and passes). */
export const durationsOfKey = perApiKey(() => new LearnedDurations());
