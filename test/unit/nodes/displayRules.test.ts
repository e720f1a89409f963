import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { ApertisVideoCreate } from '../../../nodes/ApertisVideoCreate/ApertisVideoCreate.node';

/**
 * Which fields the editor shows for each model, computed by n8n-workflow's own display logic
 * (NodeHelpers.displayParameter / getNodeParameters). The expected tables are written out from the API document,
 * not derived from the catalogue, so a catalogue mistake fails here.
 */
const description: INodeTypeDescription = new ApertisVideoCreate().description;
const node = { typeVersion: 1 };

// waitForCompletion, existingTaskId and batchOptions are every model's: they are about the node, not the API call.
const NODE_FIELDS = ['waitForCompletion', 'existingTaskId', 'batchOptions'];
const VEO_BASE = ['model', 'prompt', 'enhancePrompt', 'enableUpsample', ...NODE_FIELDS];
const VEO3 = [...VEO_BASE, 'aspectRatio'];
const SORA = ['model', 'prompt', ...NODE_FIELDS, 'imageUrls', 'orientation', 'size', 'duration', 'watermark', 'private', 'characterUrl', 'characterTimestamps'];

const EXPECTED_FIELDS: Record<string, string[]> = {
	veo2: VEO_BASE,
	'veo2-fast': VEO_BASE,
	'veo2-pro': VEO_BASE,
	'veo2-fast-frames': [...VEO_BASE, 'imageUrls'],
	'veo2-fast-components': [...VEO_BASE, 'imageUrls'],
	veo3: VEO3,
	'veo3-fast': VEO3,
	'veo3-pro': VEO3,
	'veo3-pro-frames': [...VEO3, 'imageUrls'],
	'veo3.1': VEO3,
	'veo3.1-fast': VEO3,
	'sora-2': SORA,
	'sora-2-pro': SORA,
};

function visibleProperties(model: string): INodeProperties[] {
	return description.properties.filter((property) =>
		NodeHelpers.displayParameter({ model }, property, node, description),
	);
}

describe('Video Create display rules (n8n-workflow display logic)', () => {
	test('the model list offers exactly the /v1/video/create models', () => {
		const modelProperty = description.properties.find((p) => p.name === 'model');
		expect(modelProperty?.options?.map((o) => (o as { value: string }).value).sort()).toEqual(
			Object.keys(EXPECTED_FIELDS).sort(),
		);
	});

	test.each(Object.entries(EXPECTED_FIELDS))('%s shows exactly its fields', (model, fields) => {
		const names = [...new Set(visibleProperties(model).map((p) => p.name))];
		expect(names.sort()).toEqual([...fields].sort());
	});

	test.each(Object.keys(EXPECTED_FIELDS))('%s shows each field once', (model) => {
		const names = visibleProperties(model).map((p) => p.name);
		expect(names.length).toBe(new Set(names).size);
	});

	test.each([
		['sora-2', [10]],
		['sora-2-pro', [10, 15, 25]],
	])('%s offers durations %j', (model, durations) => {
		const duration = visibleProperties(model as string).find((p) => p.name === 'duration');
		const offered = (duration?.options ?? []).filter((option) =>
			NodeHelpers.displayParameter({ model: model as string }, option as never, node, description),
		);
		// '' first: API Default, which sends no duration (the document states none).
		expect(offered.map((o) => (o as { value: number }).value)).toEqual(['', ...durations]);
	});

	test.each([
		['veo2-fast-frames', 'veo2-fast-frames: at most 2'],
		['veo3-pro-frames', 'veo3-pro-frames: at most 1'],
		['veo2-fast-components', 'veo2-fast-components: at most 3'],
		['sora-2', 'sora-2: at least 1'],
	])('%s names its image limit in the hint', (model, hint) => {
		const images = visibleProperties(model).find((p) => p.name === 'imageUrls');
		expect(images?.description).toContain(hint);
	});

	test('a model given by expression shows every model-dependent field once', () => {
		const names = visibleProperties('={{ $json.model }}').map((p) => p.name);
		expect(new Set(names)).toEqual(new Set([...VEO3, ...SORA]));
		expect(names.length).toBe(new Set(names).size);
	});

	test('getNodeParameters keeps only the fields of the chosen model (what n8n saves and runs with)', () => {
		const parameters = NodeHelpers.getNodeParameters(
			description.properties,
			{ model: 'veo2', prompt: 'x', aspectRatio: '9:16', orientation: 'portrait' },
			true,
			false,
			node,
			description,
		);
		expect(Object.keys(parameters ?? {}).sort()).toEqual([...VEO_BASE].sort());
	});

	test('Wait for Completion shows the polling and download fields only when on', () => {
		const waiting = description.properties.filter((p) => NodeHelpers.displayParameter({ model: 'veo3', waitForCompletion: true, downloadVideo: true }, p, node, description)).map((p) => p.name);
		expect(waiting).toEqual(expect.arrayContaining(['pollInterval', 'timeout', 'pollOptions', 'downloadVideo', 'binaryPropertyOutput']));
		const notWaiting = description.properties.filter((p) => NodeHelpers.displayParameter({ model: 'veo3', waitForCompletion: false, downloadVideo: true }, p, node, description)).map((p) => p.name);
		expect(notWaiting).not.toEqual(expect.arrayContaining(['pollInterval']));
		expect(notWaiting).not.toContain('binaryPropertyOutput');
	});
});
