import { onAbort } from '../abort';
import { messageOf } from '../errors';
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

/**
 * What the lines of a Sora stream say. The document shows `task_id: …`, `progress: 25%`, `video_url: …`; gateways of
 * the same format write markdown instead: ``> ID: `task_…` ``, `> 🏃 进度 12..40..76`, a preview link, then a link
 * to the .mp4. Both are read, whichever comes.
 */
const TASK_ID = /^>?\s*(?:task[_ ]?id|id)\s*[:：]\s*`?([^`\s]+)`?/i;
const PROGRESS = /^>?\s*(?:progress\s*[:：]|.*进度)\s*([\d.\s%]+)/i;
const VIDEO_URL = /^video_url\s*[:：]\s*(\S+)/i;
/** A link or bare URL to a video file (not a preview page), as markdown streams give it. */
const VIDEO_LINK =
	/https?:\/\/[^\s)"'`<>\]]+?\.(?:mp4|mov|webm|m4v)(?:\?[^\s)"'`<>\]]*)?(?=[\s)"'`<>\]]|$)/gi;
/** A failure is said at the start of a line; the same words inside another line (e.g. "retried a failed upload") are not one. */
const FAILURE =
	/^>?\s*(?:❌|(?:error|failed|failure|fail)\b|(?:video\s+)?generation\s+failed|生成失败|失败)/i;
/** Finish reasons that end a chat completion without its content (OpenAI's words). */
const FAILING_FINISH = new Set(['content_filter', 'error']);
/** Where a new fact starts, for streams that send one line per event without line breaks (the document's example). */
const LINE_START = /^\s*(?:(?:task_id|progress|video_url)\s*:|>|\[|❌|error\b|failed\b|failure\b)/i;

function startsLine(content: string): boolean {
	return LINE_START.test(content) || FAILURE.test(content.trimStart());
}

/**
 * Joins `delta.content` across events into whole lines. Token-sized pieces (`video_url: https://stor` +
 * `age.example.com/x.mp4`) are only read once their line is complete: at a line break, or, in a stream that sends
 * no line breaks at all (one line per event, as the document shows), when the next event starts a new fact; the
 * rest is read at the end of the stream.
 */
class ContentLines {
	private buffer = '';
	private sawLineBreak = false;

	constructor(private readonly onLine: (line: string) => void) {}

	push(content: string): void {
		if (this.buffer && !this.sawLineBreak && startsLine(content)) this.flush();
		this.buffer += content;
		if (!/[\r\n]/.test(content)) return;
		this.sawLineBreak = true;
		const lines = this.buffer.split(/\r\n|\r|\n/);
		this.buffer = lines.pop() ?? '';
		for (const line of lines) this.onLine(line);
	}

	/** The rest, as a last line. */
	flush(): void {
		const rest = this.buffer;
		this.buffer = '';
		if (rest) this.onLine(rest);
	}

	/** On an abort a piece may be cut: only a stream of whole lines per event has a usable rest. */
	flushIfWhole(): void {
		if (!this.sawLineBreak) this.flush();
	}
}

/** Collects task id, progress, video URL and failures from the events of one stream. */
class SoraStreamState {
	taskId?: string;
	videoUrl?: string;
	progress?: number;
	error?: string;
	sawDone = false;
	readonly lines: ContentLines;

	constructor(private readonly onProgress?: (line: string) => void) {
		this.lines = new ContentLines((line) => this.applyLine(line.trim()));
	}

	get finished(): boolean {
		return this.sawDone || this.error !== undefined;
	}

	apply(event: ServerSentEvent): void {
		if (this.finished) return;
		const data = event.data.trim();
		if (data === '[DONE]') {
			this.lines.flush();
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
			this.lines.flush();
			this.error =
				typeof apiError === 'string'
					? apiError
					: String(apiError.message ?? JSON.stringify(apiError));
			return;
		}
		const { content, finishReason } = choiceOf(payload);
		if (content) this.lines.push(content);
		if (finishReason) this.lines.flush();
		if (finishReason && FAILING_FINISH.has(finishReason) && this.error === undefined) {
			this.error = `The stream ended with finish reason "${finishReason}"`;
		}
	}

	private applyLine(line: string): void {
		if (!line || this.error !== undefined) return;
		this.onProgress?.(line);
		const taskId = TASK_ID.exec(line);
		const progress = PROGRESS.exec(line);
		const videoUrl = VIDEO_URL.exec(line)?.[1] ?? lastVideoLink(line);
		if (taskId) this.taskId = taskId[1];
		else if (progress) this.progress = lastNumber(progress[1]) ?? this.progress;
		if (videoUrl) this.videoUrl = videoUrl;
		else if (!taskId && FAILURE.test(line)) this.error = line.replace(/^>\s*/, '');
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

function lastVideoLink(line: string): string | undefined {
	return line.match(VIDEO_LINK)?.pop();
}

/** `25%` → 25; `12..40..76` → 76 (the family's progress line grows as the task advances). */
function lastNumber(text: string): number | undefined {
	const numbers = text.match(/\d+(?:\.\d+)?/g);
	return numbers ? Number(numbers[numbers.length - 1]) : undefined;
}

type Choice = {
	delta?: { content?: unknown };
	message?: { content?: unknown };
	finish_reason?: unknown;
};

function choiceOf(payload: unknown): { content: string; finishReason?: string } {
	const choices = (payload as { choices?: unknown }).choices;
	if (!Array.isArray(choices)) return { content: '' };
	const content = (choices as Choice[])
		.map((choice) => choice?.delta?.content ?? choice?.message?.content)
		.filter((text): text is string => typeof text === 'string')
		.join('');
	const reason = (choices as Choice[]).find((choice) => choice?.finish_reason)?.finish_reason;
	return { content, finishReason: typeof reason === 'string' ? reason : undefined };
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
				state.lines.flush();
				break;
			}
			parser.push(next.value);
		}
	} catch (error) {
		lostConnection = messageOf(error);
		parser.end();
		state.lines.flushIfWhole();
	} finally {
		aborted.dispose();
	}
	if (options.signal?.aborted && !state.finished && lostConnection === undefined) {
		// The server may never send again: leave the iterator behind, it is closed when the caller destroys the body.
		void iterator.return?.()?.catch(() => undefined);
		state.lines.flushIfWhole();
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
