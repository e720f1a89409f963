/** One Server-Sent Event: its type (`message` unless an `event:` field names another), data lines joined by "\n". */
export interface ServerSentEvent {
	event: string;
	data: string;
	id?: string;
}

/**
 * Parses the text/event-stream format (WHATWG HTML, "event stream interpretation") from chunks cut anywhere:
 * inside a line, between "\r" and "\n", inside a multi-byte UTF-8 character. Knows nothing of how one server
 * happens to chunk its answer. Work is linear in the input: only the unfinished last line is carried over.
 */
export class EventStreamParser {
	private readonly decoder = new TextDecoder('utf-8');
	private partialLine = '';
	/** The previous chunk ended in "\r": a "\n" opening the next chunk belongs to the same line ending. */
	private endedInCarriageReturn = false;
	private atStart = true;
	private dataLines: string[] = [];
	private eventType = '';
	private lastEventId: string | undefined;

	constructor(private readonly onEvent: (event: ServerSentEvent) => void) {}

	push(chunk: Uint8Array | string): void {
		this.feed(typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }));
	}

	/**
	 * The stream ended. Unlike the spec, which drops an event not closed by a blank line, it is dispatched: a server
	 * or proxy that cuts the final blank line must not cost the last payload (often the video URL).
	 */
	end(): void {
		this.feed(this.decoder.decode());
		if (this.partialLine) this.processLine(this.partialLine);
		this.partialLine = '';
		this.dispatch();
	}

	private feed(text: string): void {
		if (!text) return;
		if (this.atStart) {
			this.atStart = false;
			if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
		}
		let position = this.endedInCarriageReturn && text.startsWith('\n') ? 1 : 0;
		this.endedInCarriageReturn = false;
		const lineBreak = /\r\n|\r|\n/g;
		lineBreak.lastIndex = position;
		for (let match = lineBreak.exec(text); match; match = lineBreak.exec(text)) {
			this.processLine(this.partialLine + text.slice(position, match.index));
			this.partialLine = '';
			position = match.index + match[0].length;
			if (match[0] === '\r' && position === text.length) this.endedInCarriageReturn = true;
		}
		this.partialLine += text.slice(position);
	}

	private processLine(line: string): void {
		if (line === '') return this.dispatch();
		if (line.startsWith(':')) return; // a comment, e.g. a keep-alive
		const colon = line.indexOf(':');
		const field = colon < 0 ? line : line.slice(0, colon);
		let value = colon < 0 ? '' : line.slice(colon + 1);
		if (value.startsWith(' ')) value = value.slice(1);
		if (field === 'data') this.dataLines.push(value);
		else if (field === 'event') this.eventType = value;
		else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
		// `retry` and unknown fields do not concern a client that reads one stream once.
	}

	private dispatch(): void {
		const eventType = this.eventType;
		this.eventType = '';
		if (this.dataLines.length === 0) return;
		const data = this.dataLines.join('\n');
		this.dataLines = [];
		this.onEvent({
			event: eventType || 'message',
			data,
			...(this.lastEventId !== undefined ? { id: this.lastEventId } : {}),
		});
	}
}
