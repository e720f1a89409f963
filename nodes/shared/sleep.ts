/**
 * A sleep that ends early when the execution is cancelled, so that stopping a workflow stops waiting at once.
 * Resolves `false` when it was cut short by the signal, `true` when the full time passed.
 */
export async function cancellableSleep(ms: number, signal?: AbortSignal): Promise<boolean> {
	if (signal?.aborted) return false;
	return await new Promise<boolean>((resolve) => {
		const onAbort = () => {
			clearTimeout(timer);
			resolve(false);
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve(true);
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}
