import { sleep } from 'n8n-workflow';

/** Longest single timer: after an abort, no timer outlives it by more than this. */
const SLICE_MS = 250;

function abortedPromise(signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * A sleep that ends at once when the execution is cancelled, so that stopping a workflow stops waiting.
 * Resolves `false` when the signal cut it short, `true` when the full time passed. Built on n8n-workflow's `sleep`
 * (n8n Cloud forbids timers in community nodes), in short slices so no long timer lingers after an abort.
 */
export async function cancellableSleep(ms: number, signal?: AbortSignal): Promise<boolean> {
	const deadline = Date.now() + ms;
	const aborted = signal ? abortedPromise(signal) : undefined;
	while (!signal?.aborted) {
		const left = deadline - Date.now();
		if (left <= 0) return true;
		const slice = sleep(Math.min(left, SLICE_MS));
		await (aborted ? Promise.race([slice, aborted]) : slice);
	}
	return false;
}
