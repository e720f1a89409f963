/**
 * Calls `listener` once when `signal` aborts (at once if it already has). Returns the unlink, to call when the
 * caller no longer cares: an execution's signal lives long, and listeners left on it pile up.
 */
export function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
	if (!signal) return () => {};
	if (signal.aborted) {
		listener();
		return () => {};
	}
	signal.addEventListener('abort', listener, { once: true });
	return () => signal.removeEventListener('abort', listener);
}
