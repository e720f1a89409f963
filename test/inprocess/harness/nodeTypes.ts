import type { IDataObject, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { ApertisVideoCreate } from '../../../nodes/ApertisVideoCreate/ApertisVideoCreate.node';
import { ApertisVideoQuery } from '../../../nodes/ApertisVideoQuery/ApertisVideoQuery.node';
import { ApertisVideoFromImage } from '../../../nodes/ApertisVideoFromImage/ApertisVideoFromImage.node';
import { TestItems } from './fixtureNodes';

/** The package's nodes under their real type names, plus the test input node. */
const PACKAGE = 'n8n-nodes-apertis-video';

const NODES: Record<string, INodeType> = {
	[`${PACKAGE}.apertisVideoCreate`]: new ApertisVideoCreate(),
	[`${PACKAGE}.apertisVideoQuery`]: new ApertisVideoQuery(),
	[`${PACKAGE}.apertisVideoFromImage`]: new ApertisVideoFromImage(),
	'test.testItems': new TestItems(),
};

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
