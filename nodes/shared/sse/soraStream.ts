import { onAbort } from '../abort';
import type { ServerSentEvent } from './eventStreamParser';
import { EventStreamParser } from './eventStreamParser';

/** What a Sora chat stream said, once it ended. */
export interface SoraStreamResult {
	taskId?: string;
	videoUrl?: string;
	/** The last percentage seen. */
	progress?: number;
	status: 'completed' | 'failed';
	error?: string;
	/** Whether the stream ended with `data: [DONE]`. */
	sawDone: boolean;
}

/** The execution was stopped (or timed out) while reading; carries the task id if one had been seen. */
export class SoraStreamAborted extends Error {
	constructor(readonly taskId: string | undefined) {
		super('Reading the Sora stream was stopped');
	}
}

export interface ReadSoraStreamOptions {
	signal?: AbortSignal;
	/** Each non-empty content line, as it arrives (for callers that stream progress on). */
	onProgress?: (line: string) => void;
}

const TASK_ID = /^task_id\s*:\s*(\S+)/i;
const PROGRESS = /^progress\s*:\s*(\d+(?:\.\d+)?)\s*%/i;
const VIDEO_URL = /^video_url\s*:\s*(\S+)/i;
const FAILURE = /\b(fail(ed|ure)?|error)\b/i;

/** Collects task id, progress, video URL and failures from the events of one stream. */
class SoraStreamState {
	taskId?: string;
	videoUrl?: string;
	progress?: number;
	error?: string;
	sawDone = false;

	constructor(private readonly onProgress?: (line: string) => void) {}

	get finished(): boolean {
		return this.sawDone || this.error !== undefined;
	}

	apply(event: ServerSentEvent): void {
		if (this.finished) return;
		const data = event.data.trim();
		if (data === '[DONE]') {
			this.sawDone = true;
			return;
		}
		let payload: unknown;
		try {
			payload = JSON.parse(data);
		} catch {
			return; // not a chat chunk (a stray line from a proxy, say): nothing to learn from it
		}
		const apiError = (payload as { error?: { message?: unknown } | string }).error;
		if (apiError) {
			this.error =
				typeof apiError === 'string'
					? apiError
					: String(apiError.message ?? JSON.stringify(apiError));
			return;
		}
		for (const line of contentOf(payload).split('\n')) this.applyLine(line.trim());
	}

	/** The API sends each fact as one line of `delta.content`: "task_id: …", "progress: 25%", "video_url: …". */
	private applyLine(line: string): void {
		if (!line) return;
		this.onProgress?.(line);
		const taskId = TASK_ID.exec(line);
		const progress = PROGRESS.exec(line);
		const videoUrl = VIDEO_URL.exec(line);
		if (taskId) this.taskId = taskId[1];
		else if (progress) this.progress = Number(progress[1]);
		else if (videoUrl) this.videoUrl = videoUrl[1];
		else if (FAILURE.test(line)) this.error = line;
	}

	result(lostConnection?: string): SoraStreamResult {
		const facts = {
			taskId: this.taskId,
			videoUrl: this.videoUrl,
			progress: this.progress,
			sawDone: this.sawDone,
		};
		if (this.error !== undefined) return { ...facts, status: 'failed', error: this.error };
		if (this.videoUrl) return { ...facts, status: 'completed' };
		const error = lostConnection
			? `The connection was lost before the video was ready: ${lostConnection}`
			: this.sawDone
				? 'The stream ended without a video URL'
				: 'The connection closed before the stream finished, without a video URL';
		return { ...facts, status: 'failed', error };
	}
}

function contentOf(payload: unknown): string {
	const choices = (payload as { choices?: unknown }).choices;
	if (!Array.isArray(choices)) return '';
	return choices
		.map(
			(choice: { delta?: { content?: unknown }; message?: { content?: unknown } }) =>
				choice?.delta?.content ?? choice?.message?.content,
		)
		.filter((content): content is string => typeof content === 'string')
		.join('\n');
}

/**
 * Reads a Sora chat-completions stream to its end. A dropped connection does not throw: the result is `failed`
 * with the task id seen so far, so the caller can hand the task on. An abort throws SoraStreamAborted at once,
 * even when the server has gone quiet.
 */
export async function readSoraStream(
	stream: AsyncIterable<Uint8Array | string>,
	options: ReadSoraStreamOptions = {},
): Promise<SoraStreamResult> {
	const state = new SoraStreamState(options.onProgress);
	const parser = new EventStreamParser((event) => state.apply(event));
	const iterator = stream[Symbol.asyncIterator]();
	const aborted = abortPromise(options.signal);
	let lostConnection: string | undefined;
	try {
		while (!state.finished) {
			const next = await Promise.race([iterator.next(), aborted.promise]);
			if (next === ABORTED) break;
			if (next.done) {
				parser.end();
				break;
			}
			parser.push(next.value);
		}
	} catch (error) {
		lostConnection = error instanceof Error ? error.message : String(error);
		parser.end();
	} finally {
		aborted.dispose();
	}
	if (options.signal?.aborted && !state.finished && lostConnection === undefined) {
		// The server may never send again: leave the iterator behind, it is closed when the caller destroys the body.
		void iterator.return?.()?.catch(() => undefined);
		throw new SoraStreamAborted(state.taskId);
	}
	if (state.finished) void iterator.return?.()?.catch(() => undefined);
	return state.result(lostConnection);
}

const ABORTED = Symbol('aborted');

function abortPromise(signal: AbortSignal | undefined): {
	promise: Promise<typeof ABORTED>;
	dispose(): void;
} {
	let dispose = () => {};
	const promise = new Promise<typeof ABORTED>(
		(resolve) => (dispose = onAbort(signal, () => resolve(ABORTED))),
	);
	return { promise, dispose };
}
