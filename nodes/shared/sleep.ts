import { sleep } from 'n8n-workflow';

import { onAbort } from './abort';

/** Longest single timer: after an abort, no timer outlives it by more than this. */
const SLICE_MS = 250;

/**
 * A sleep that ends at once when the execution is cancelled, so that stopping a workflow stops waiting.
 * Resolves `false` when the signal cut it short, `true` when the full time passed. Built on n8n-workflow's `sleep`
 * (n8n Cloud forbids timers in community nodes), in short slices so no long timer lingers after an abort.
 */
export async function cancellableSleep(ms: number, signal?: AbortSignal): Promise<boolean> {
	const deadline = Date.now() + ms;
	let unlink = () => {};
	const aborted = new Promise<void>((resolve) => (unlink = onAbort(signal, resolve)));
	try {
		while (!signal?.aborted) {
			const left = deadline - Date.now();
			if (left <= 0) return true;
			await Promise.race([sleep(Math.min(left, SLICE_MS)), aborted]);
		}
		return false;
	} finally {
		unlink();
	}
}
