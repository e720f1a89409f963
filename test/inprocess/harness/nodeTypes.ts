import type { IDataObject, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { TestItems } from './fixtureNodes';

/** The package's nodes under their real type names (from package.json's n8n.nodes, as n8n loads them), plus the test input node. */
const PACKAGE = 'n8n-nodes-apertis-video';

function packageNodes(): Record<string, INodeType> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const manifest = require('../../../package.json') as { n8n: { nodes: string[] } };
	const nodes: Record<string, INodeType> = {};
	for (const built of manifest.n8n.nodes) {
		const source = built.replace(/^dist\//, '../../../').replace(/\.js$/, '');
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const exported = require(source) as Record<string, new () => INodeType>;
		for (const NodeClass of Object.values(exported)) {
			const node = new NodeClass();
			nodes[`${PACKAGE}.${node.description.name}`] = node;
		}
	}
	return nodes;
}

const NODES: Record<string, INodeType> = { ...packageNodes(), 'test.testItems': new TestItems() };

export function registerNodeType(type: string, node: INodeType): void {
	NODES[type] = node;
}

export class PackageNodeTypes implements INodeTypes {
	getByName(nodeType: string): INodeType | IVersionedNodeType {
		return this.known(nodeType);
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.known(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}

	private known(nodeType: string): INodeType {
		const node = NODES[nodeType];
		if (!node) throw new Error(`Unknown node type ${nodeType} in the in-process harness`);
		return node;
	}
}
