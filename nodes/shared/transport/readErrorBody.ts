import type { ByteStream } from './byteStream';

const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Reads a streamed error answer (at most 64 KiB) and parses it as JSON when it is JSON. */
export async function readErrorBody(stream: ByteStream): Promise<unknown> {
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of stream) {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
			chunks.push(buffer);
			size += buffer.length;
			if (size >= MAX_ERROR_BODY_BYTES) break;
		}
	} catch {
		// A broken error body still leaves the status code to report.
	} finally {
		stream.destroy();
	}
	const text = Buffer.concat(chunks).toString('utf8');
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}
