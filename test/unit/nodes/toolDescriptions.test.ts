import type { INodeType } from 'n8n-workflow';

import { ApertisSoraChatStream } from '../../../nodes/ApertisSoraChatStream/ApertisSoraChatStream.node';
import { ApertisVideoCreate } from '../../../nodes/ApertisVideoCreate/ApertisVideoCreate.node';
import { ApertisVideoFromImage } from '../../../nodes/ApertisVideoFromImage/ApertisVideoFromImage.node';
import { ApertisVideoQuery } from '../../../nodes/ApertisVideoQuery/ApertisVideoQuery.node';
import { ApertisWaitUntilDone } from '../../../nodes/ApertisWaitUntilDone/ApertisWaitUntilDone.node';

/**
 * As a tool, a node's description is all an AI model reads before it calls it: it must name what the node needs
 * (every model id the node takes), what comes back, and, for the nodes that wait, the time-out.
 *
 * Which models each endpoint takes comes from the sandbox (test/sandbox/models.js), written from the API document
 * apart from the package's catalogue: the descriptions are built from the catalogue, so checking them against it
 * could not catch a model that both forgot.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const api = require('../../sandbox/models') as {
	CREATE_MODELS: Record<string, unknown>;
	VIDEOS_MODELS: string[];
	CHAT_MODELS: string[];
	ALL_MODEL_IDS: string[];
};

const creators: Array<[string, INodeType, string[]]> = [
	['Video Create', new ApertisVideoCreate(), Object.keys(api.CREATE_MODELS)], // POST /v1/video/create
	['Video From Image', new ApertisVideoFromImage(), api.VIDEOS_MODELS], // POST /v1/videos
	['Sora Chat Stream', new ApertisSoraChatStream(), api.CHAT_MODELS], // POST /v1/chat/completions
];

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A whole id: "veo3" inside "veo3.1" or "sora-2" inside "sora-2-pro" does not count. */
const whole = (id: string) => new RegExp(`(?<![\\w.-])${literal(id)}(?![\\w-]|\\.\\w)`);

describe('tool descriptions', () => {
	it('a whole id is one not part of a longer id', () => {
		expect('veo3.1, sora-2-pro').not.toMatch(whole('veo3'));
		expect('veo3.1, sora-2-pro').not.toMatch(whole('sora-2'));
		expect('one of: veo3, sora-2.').toMatch(whole('veo3'));
		expect('one of: veo3, sora-2.').toMatch(whole('sora-2'));
	});

	it.each(creators)('%s names every model its endpoint takes', (_name, node, takes) => {
		expect(takes.length).toBeGreaterThan(0);
		const { description } = node.description;
		const missing = takes.filter((id) => !whole(id).test(description ?? ''));
		expect(missing).toEqual([]);
	});

	it.each(creators)('%s names no model its endpoint refuses', (_name, node, takes) => {
		const { description } = node.description;
		const refused = api.ALL_MODEL_IDS.filter((id) => !takes.includes(id));
		expect(refused.filter((id) => whole(id).test(description ?? ''))).toEqual([]);
	});

	it('Video Create says what Sora models need: a reference image and one of their durations', () => {
		const { description } = new ApertisVideoCreate().description;
		expect(description).toMatch(/reference image URL/);
		expect(description).toContain('sora-2: 10 s');
		expect(description).toContain('sora-2-pro: 10, 15, 25 s');
	});

	it.each([
		['Video Create', new ApertisVideoCreate()],
		['Video From Image', new ApertisVideoFromImage()],
		['Video Query', new ApertisVideoQuery()],
		['Wait Until Done', new ApertisWaitUntilDone()],
		['Sora Chat Stream', new ApertisSoraChatStream()],
	])('%s is a tool that says what it returns', (_name, node) => {
		expect(node.description.usableAsTool).toBe(true);
		expect(node.description.description).toMatch(/Returns .*(task id|task_id|status)/);
	});

	it.each([
		['Wait Until Done', new ApertisWaitUntilDone()],
		['Sora Chat Stream', new ApertisSoraChatStream()],
	])('%s, which waits, states its time-out', (_name, node) => {
		expect(node.description.description).toMatch(/Timeout .*30 minutes by default/);
	});
});
