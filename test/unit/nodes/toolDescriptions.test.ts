import type { INodeType } from 'n8n-workflow';

import { ApertisSoraChatStream } from '../../../nodes/ApertisSoraChatStream/ApertisSoraChatStream.node';
import { ApertisVideoCreate } from '../../../nodes/ApertisVideoCreate/ApertisVideoCreate.node';
import { ApertisVideoFromImage } from '../../../nodes/ApertisVideoFromImage/ApertisVideoFromImage.node';
import { ApertisVideoQuery } from '../../../nodes/ApertisVideoQuery/ApertisVideoQuery.node';
import { ApertisWaitUntilDone } from '../../../nodes/ApertisWaitUntilDone/ApertisWaitUntilDone.node';
import type { ModelUse } from '../../../nodes/shared/catalogue/models';
import { modelsFor } from '../../../nodes/shared/catalogue/models';

/**
 * As a tool, a node's description is all an AI model reads before it calls it: it must name what the node needs
 * (every model id the node takes, from the catalogue), what comes back, and, for the nodes that wait, the time-out.
 */
const creators: Array<[string, INodeType, ModelUse]> = [
	['Video Create', new ApertisVideoCreate(), 'videoCreate'],
	['Video From Image', new ApertisVideoFromImage(), 'videos'],
	['Sora Chat Stream', new ApertisSoraChatStream(), 'chatStream'],
];

describe('tool descriptions', () => {
	it.each(creators)('%s names every model it takes', (_name, node, use) => {
		const { description } = node.description;
		const ids = modelsFor(use).map((model) => model.id);
		expect(ids.length).toBeGreaterThan(0);
		// A whole id: "veo3" inside "veo3.1" or "sora-2" inside "sora-2-pro" does not count.
		const whole = (id: string) => new RegExp(`(?<![\\w.-])${id.replace(/\./g, '\\.')}(?![\\w-]|\\.\\w)`);
		for (const id of ids) expect(description).toMatch(whole(id));
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
