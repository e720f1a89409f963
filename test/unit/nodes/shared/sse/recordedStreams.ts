// Streams as the sandbox and the API document write them, kept as text; tests cut and re-encode them.
export const chunk = (content: string) => JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'sora-2', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
export const event = (data: string) => `data: ${data}\n\n`;

export const TASK_ID = 'sora-2:1795577004-mtyngylp';
export const VIDEO_URL = 'https://storage.example.com/videos/output.mp4';

export const RECORDED: Record<string, string> = {
	normal: [chunk(`task_id: ${TASK_ID}`), chunk('progress: 0%'), chunk('progress: 25%'), chunk('progress: 100%'), chunk(`video_url: ${VIDEO_URL}`), '[DONE]'].map(event).join(''),
	withComments: `: connected\n\n${[chunk(`task_id: ${TASK_ID}`), chunk('progress: 40%')].map((d) => `: keep-alive\n${event(d)}`).join('')}${event(chunk(`video_url: ${VIDEO_URL}`))}${event('[DONE]')}`,
	multiLineData: [chunk(`task_id: ${TASK_ID}`), chunk(`video_url: ${VIDEO_URL}`)].map((d) => `${JSON.stringify(JSON.parse(d), null, 1).split('\n').map((line) => `data: ${line}`).join('\n')}\n\n`).join('') + event('[DONE]'),
	errorEvent: [chunk(`task_id: ${TASK_ID}`), chunk('progress: 10%'), JSON.stringify({ error: { message: 'Upstream service unavailable', type: 'server_error' } })].map(event).join(''),
	failureContent: [chunk(`task_id: ${TASK_ID}`), chunk('Video generation failed: content policy violation')].map(event).join('') + event('[DONE]'),
	noDone: [chunk(`task_id: ${TASK_ID}`), chunk('progress: 90%'), chunk(`video_url: ${VIDEO_URL}`)].map(event).join(''),
	unicode: [chunk(`task_id: ${TASK_ID}`), chunk('progress: 50% — 视频生成中 🎬'), chunk(`video_url: ${VIDEO_URL}`), '[DONE]'].map(event).join(''),
};

/** The same stream with another line ending. */
export function withLineEnding(text: string, ending: '\n' | '\r\n' | '\r'): string {
	return text.replace(/\n/g, ending);
}

/** Splits bytes at the given cut points (sorted, deduplicated, inside the range). */
export function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
	const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
	const pieces: Uint8Array[] = [];
	let previous = 0;
	for (const point of [...points, bytes.length]) {
		if (point > previous) pieces.push(bytes.subarray(previous, point));
		previous = Math.max(previous, point);
	}
	return pieces;
}

export async function* asStream(pieces: Array<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
	for (const piece of pieces) yield piece;
}

/** A content text sent as the family of gateways does: one event per token-sized piece of 1..size characters. */
export function tokenStream(content: string, pieceSizes: number[], done = true): string {
	const pieces: string[] = [];
	for (let at = 0, i = 0; at < content.length; i++) {
		const size = Math.max(1, pieceSizes.length ? pieceSizes[i % pieceSizes.length] : 3);
		pieces.push(content.slice(at, at + size));
		at += size;
	}
	return pieces.map((piece) => event(chunk(piece))).join('') + (done ? event('[DONE]') : '');
}

export const FAMILY_TASK_ID = 'task_01k9009g8ef1esae6388chgcpx';
export const FAMILY_MARKDOWN = [
	`> ID: \`${FAMILY_TASK_ID}\``,
	'> 🏃 进度 12..40..76..100',
	'[预览](https://preview.example.com/p/task_01k9009g8ef1esae6388chgcpx)',
	'> 生成完成 ✅',
	`[在线播放▶️](${VIDEO_URL})`,
	'',
].join('\n');
