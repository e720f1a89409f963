import type { INodeParameters, INodeProperties, INodeTypeDescription, NodeParameterValue } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { ApertisSoraChatStream } from '../../../nodes/ApertisSoraChatStream/ApertisSoraChatStream.node';
import { ApertisVideoCreate } from '../../../nodes/ApertisVideoCreate/ApertisVideoCreate.node';
import { ApertisVideoFromImage } from '../../../nodes/ApertisVideoFromImage/ApertisVideoFromImage.node';
import { ApertisVideoQuery } from '../../../nodes/ApertisVideoQuery/ApertisVideoQuery.node';
import { ApertisWaitUntilDone } from '../../../nodes/ApertisWaitUntilDone/ApertisWaitUntilDone.node';

/**
 * n8n keeps one value per parameter name: two visible fields of one name would share it (the bug where Video From
 * Image showed its input image field and its output video field both as `binaryPropertyName`). For every node, every
 * combination of the values its display rules look at is tried with n8n-workflow's own display logic.
 */
const nodes: INodeTypeDescription[] = [
	new ApertisVideoCreate().description,
	new ApertisVideoQuery().description,
	new ApertisVideoFromImage().description,
	new ApertisSoraChatStream().description,
	new ApertisWaitUntilDone().description,
];

/** The values each field named in a display rule can take: its options, both booleans, and an expression. */
function ruleValues(description: INodeTypeDescription): Map<string, NodeParameterValue[]> {
	const values = new Map<string, NodeParameterValue[]>();
	for (const property of description.properties) {
		for (const name of Object.keys({ ...property.displayOptions?.show, ...property.displayOptions?.hide })) {
			const field = description.properties.find((p) => p.name === name);
			values.set(name, valuesOf(field));
		}
	}
	return values;
}

function valuesOf(field: INodeProperties | undefined): NodeParameterValue[] {
	if (field?.type === 'boolean') return [true, false];
	const options = (field?.options ?? []).map((option) => (option as { value: NodeParameterValue }).value);
	return [...options, '={{ $json.value }}'];
}

function* combinations(values: Map<string, NodeParameterValue[]>): Generator<INodeParameters> {
	const entries = [...values.entries()];
	const total = entries.reduce((count, [, list]) => count * list.length, 1);
	for (let n = 0; n < total; n++) {
		const parameters: INodeParameters = {};
		let rest = n;
		for (const [name, list] of entries) {
			parameters[name] = list[rest % list.length];
			rest = Math.floor(rest / list.length);
		}
		yield parameters;
	}
}

describe.each(nodes.map((d) => [d.displayName, d] as const))('%s', (_name, description) => {
	test('never shows two fields of one name at once', () => {
		const values = ruleValues(description);
		let tried = 0;
		for (const parameters of combinations(values)) {
			tried++;
			const visible = description.properties
				.filter((p) => NodeHelpers.displayParameter(parameters, p, { typeVersion: 1 }, description))
				.map((p) => p.name);
			const twice = visible.filter((name, i) => visible.indexOf(name) !== i);
			expect({ parameters, twice }).toEqual({ parameters, twice: [] });
		}
		expect(tried).toBeGreaterThan(0);
	});
});

test('the check catches two fields of one name', () => {
	const broken: INodeTypeDescription = {
		...new ApertisVideoQuery().description,
		properties: [
			{ displayName: 'A', name: 'x', type: 'string', default: '' },
			{ displayName: 'B', name: 'x', type: 'string', default: '', displayOptions: { show: { y: [true] } } },
			{ displayName: 'Y', name: 'y', type: 'boolean', default: false },
		],
	};
	const visible = (y: boolean) =>
		broken.properties.filter((p) => NodeHelpers.displayParameter({ y }, p, { typeVersion: 1 }, broken)).map((p) => p.name);
	expect(visible(true)).toEqual(['x', 'x', 'y']);
	expect(visible(false)).toEqual(['x', 'y']);
});
