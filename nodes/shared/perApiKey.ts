// What the package keeps per API key in an n8n process: the key's request pace (pacing/) and its learned durations
// (poller/), shared by every node and execution that uses the key.
import { createHash } from 'crypto';

/** Keys remembered per process; the least recently used is forgotten first (each entry is a few kilobytes). */
const MAX_KEYS = 256;

/** The entry of `key`, made on first use; the map, kept in least-recently-used order, forgets beyond `max`. */
export function recentlyUsed<K, V>(map: Map<K, V>, key: K, make: () => V, max: number): V {
	const value = map.get(key) ?? make();
	map.delete(key);
	map.set(key, value);
	if (map.size > max) map.delete(map.keys().next().value!);
	return value;
}

/** One value per API key in this n8n process, shared by its executions; keyed by a SHA-256, never the key itself. */
export function perApiKey<V>(make: () => V): (baseUrl: string, apiKey: string) => V {
	const values = new Map<string, V>();
	return (baseUrl, apiKey) => {
		const id = `${baseUrl}#${createHash('sha256').update(apiKey).digest('hex')}`;
		return recentlyUsed(values, id, make, MAX_KEYS);
	};
}
