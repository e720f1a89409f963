import { createHash } from 'crypto';

import { LearnedDurations } from '../poller/learnedDurations';
import { AdaptivePace } from './adaptivePace';

/**
 * What this n8n process knows about one API key: its pace (shared by every request the package sends with that
 * key, from every node and every execution running at the same time) and the durations its tasks took. A module's
 * state lives as long as the process that loaded the package: executions come and go, the key's knowledge stays.
 *
 * Keyed by the base URL and a SHA-256 of the key: the key itself is never kept here.
 */
export interface KeyState {
	pace: AdaptivePace;
	durations: LearnedDurations;
}

/** Keys remembered; the least recently used is forgotten first (each entry is a few kilobytes). */
const MAX_KEYS = 256;

const states = new Map<string, KeyState>();

export function keyStateFor(baseUrl: string, apiKey: string): KeyState {
	const id = `${baseUrl}#${createHash('sha256').update(apiKey).digest('hex')}`;
	const state = states.get(id) ?? { pace: new AdaptivePace(), durations: new LearnedDurations() };
	// Re-inserting keeps the map in least-recently-used order.
	states.delete(id);
	states.set(id, state);
	if (states.size > MAX_KEYS) states.delete(states.keys().next().value!);
	return state;
}
