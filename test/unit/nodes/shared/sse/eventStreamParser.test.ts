import fc from 'fast-check';

import type { ServerSentEvent } from '../../../../../nodes/shared/sse/eventStreamParser';
import { EventStreamParser } from '../../../../../nodes/shared/sse/eventStreamParser';
import { RECORDED, splitAt, withLineEnding } from './recordedStreams';

function parse(pieces: Array<Uint8Array | string>): ServerSentEvent[] {
	const events: ServerSentEvent[] = [];
	const parser = new EventStreamParser((event) => events.push(event));
	for (const piece of pieces) parser.push(piece);
	parser.end();
	return events;
}
const bytes = (text: string) => new TextEncoder().encode(text);

describe('EventStreamParser', () => {
	test('data lines, event types, ids, comments and fields without a space', () => {
		expect(parse(['event: progress\nid: 7\ndata: a\ndata:b\n: comment\nretry: 10\nunknown: x\n\ndata\n\n'])).toEqual([
			{ event: 'progress', data: 'a\nb', id: '7' },
			{ event: 'message', data: '', id: '7' },
		]);
	});

	test.each([
		['\n', 'LF'],
		['\r\n', 'CRLF'],
		['\r', 'CR'],
	])('line endings %j (%s)', (ending) => {
		expect(parse([`data: one${ending}${ending}data: two${ending}${ending}`]).map((e) => e.data)).toEqual(['one', 'two']);
	});

	test('a CR at the end of one chunk and an LF at the start of the next are one line ending', () => {
		expect(parse(['data: one\r', '\n\r', '\ndata: two\r\n\r\n']).map((e) => e.data)).toEqual(['one', 'two']);
	});

	test('an event without data is not dispatched; a BOM is dropped', () => {
		expect(parse(['\uFEFFevent: ping\n\n: only a comment\n\ndata: x\n\n'])).toEqual([{ event: 'message', data: 'x' }]);
	});

	test('a multi-byte character cut at every byte offset arrives whole', () => {
		const text = 'data: 视频 🎬 ok\n\n';
		const encoded = bytes(text);
		for (let cut = 0; cut <= encoded.length; cut++) {
			expect(parse([encoded.subarray(0, cut), encoded.subarray(cut)])).toEqual([{ event: 'message', data: '视频 🎬 ok' }]);
		}
	});

	test('the last event is dispatched even when the final blank line is missing', () => {
		expect(parse(['data: a\n\ndata: last']).map((e) => e.data)).toEqual(['a', 'last']);
	});

	test('property: any splitting into byte chunks and any line-ending style give the same events', () => {
		fc.assert(
			fc.property(
				fc.constantFrom(...Object.keys(RECORDED)),
				fc.constantFrom<'\n' | '\r\n' | '\r'>('\n', '\r\n', '\r'),
				fc.array(fc.nat(), { maxLength: 60 }),
				(name, ending, cuts) => {
					const expected = parse([RECORDED[name]]);
					const encoded = bytes(withLineEnding(RECORDED[name], ending));
					expect(parse(splitAt(encoded, cuts))).toEqual(expected);
				},
			),
			{ numRuns: 300 },
		);
	});

	test('property: one byte at a time gives the same events', () => {
		for (const text of Object.values(RECORDED)) {
			const encoded = bytes(withLineEnding(text, '\r\n'));
			const pieces = Array.from(encoded, (_, i) => encoded.subarray(i, i + 1));
			expect(parse(pieces)).toEqual(parse([text]));
		}
	});
});
