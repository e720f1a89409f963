import './env';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IConnections,
	INode,
	INodeExecutionData,
	IRun,
	IRunExecutionData,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { createRunExecutionData, Workflow } from 'n8n-workflow';

import { ApertisApi } from '../../../credentials/ApertisApi.credentials';
import { TestCredentialsHelper } from './credentialsHelper';
import type { LogEntry } from './n8nLog';
import { checkLogged, loggedSince, logMark } from './n8nLog';
import { PackageNodeTypes } from './nodeTypes';

export const PACKAGE = 'n8n-nodes-apertis-video';

export interface TestNode {
	name: string;
	/** Short type: `apertisVideoCreate` → n8n-nodes-apertis-video.apertisVideoCreate; `test.testItems` as is. */
	type: string;
	parameters?: INode['parameters'];
	continueOnFail?: boolean;
}

export interface RunOptions {
	nodes: TestNode[];
	/** Defaults to a chain of the nodes in order (output 0 → next node). */
	connections?: IConnections;
	credentials?: { baseUrl: string; apiKey: string };
	/** Stop the execution after this many ms, as the editor's Stop button does. */
	cancelAfterMs?: number;
	/** Run as n8n runs a workflow that streams its response (Chat Trigger, Webhook streaming); chunks are collected. */
	streaming?: boolean;
}

export interface StreamedChunk {
	type: string;
	content?: string;
	metadata: { nodeName: string; itemIndex: number };
}

export interface RunResult {
	run: IRun;
	/** Items a node emitted on one of its outputs (first run of the node). */
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	/** The error a node failed with, if it failed. */
	error(nodeName: string): (Error & { description?: string; context?: Record<string, unknown> }) | undefined;
	cancelledAt?: number;
	finishedAt: number;
	/** What nodes streamed to the caller (only with `streaming`). */
	chunks: StreamedChunk[];
	/** What n8n logged during the run (recorded, not printed; each error is a failed node's error: see n8nLog.ts). */
	logged: LogEntry[];
}

export function chain(nodes: TestNode[]): IConnections {
	const connections: IConnections = {};
	for (let i = 0; i + 1 < nodes.length; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return connections;
}

function toNode(node: TestNode, index: number): INode {
	const type = node.type.includes('.') ? node.type : `${PACKAGE}.${node.type}`;
	return {
		id: `node-${index}`,
		name: node.name,
		type,
		typeVersion: 1,
		position: [index * 200, 0],
		parameters: node.parameters ?? {},
		credentials: type.startsWith(PACKAGE) ? { apertisApi: { id: 'cred-1', name: 'Apertis sandbox' } } : undefined,
		...(node.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
}

/** Runs a workflow through n8n-core's WorkflowExecute, the engine n8n itself runs nodes with. */
export async function runWorkflow(options: RunOptions): Promise<RunResult> {
	const nodes = options.nodes.map(toNode);
	const workflow = new Workflow({
		id: 'inprocess',
		nodes,
		connections: options.connections ?? chain(options.nodes),
		nodeTypes: new PackageNodeTypes(),
		active: false,
		settings: { binaryMode: 'separate' },
	});
	const credentialData: Record<string, ICredentialDataDecryptedObject> = options.credentials
		? { apertisApi: { ...options.credentials } }
		: {};
	const hooks = new ExecutionLifecycleHooks('manual', 'inprocess-1', {
		id: 'inprocess',
		name: 'in-process test',
		active: false,
		nodes,
		connections: workflow.connectionsBySourceNode,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
		isArchived: false,
	} as never);
	let reportRun: (run: IRun) => void = () => {};
	const finished = new Promise<IRun>((resolve) => (reportRun = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => reportRun(run));
	const chunks: StreamedChunk[] = [];
	if (options.streaming) hooks.addHandler('sendChunk', (chunk) => void chunks.push(chunk as StreamedChunk));

	const additionalData = {
		executionId: 'inprocess-1',
		hooks,
		credentialsHelper: new TestCredentialsHelper({ apertisApi: new ApertisApi() }, credentialData),
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		variables: {},
		currentNodeParameters: undefined,
		streamingEnabled: options.streaming === true,
	} as unknown as IWorkflowExecuteAdditionalData;

	const runExecutionData: IRunExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: nodes[0], data: { main: [[{ json: {} }]] }, source: null }],
		},
	});

	const mark = logMark();
	const execution = new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
	let cancelledAt: number | undefined;
	const timer =
		options.cancelAfterMs !== undefined
			? setTimeout(() => {
					cancelledAt = Date.now();
					execution.cancel();
				}, options.cancelAfterMs)
			: undefined;
	let run: IRun;
	try {
		run = await execution;
	} catch {
		// A cancelled execution rejects; the lifecycle hook still reports what ran.
		run = await finished;
	} finally {
		if (timer) clearTimeout(timer);
	}
	const finishedAt = Date.now();
	const logged = loggedSince(mark);
	const { runData, error: workflowError } = run.data.resultData;
	checkLogged(logged, [workflowError, ...Object.values(runData).flatMap((tasks) => tasks.map((task) => task.error))]);

	return {
		run,
		cancelledAt,
		finishedAt,
		chunks,
		logged,
		output(nodeName, outputIndex = 0) {
			const taskData = run.data.resultData.runData[nodeName]?.[0];
			return taskData?.data?.main?.[outputIndex] ?? [];
		},
		error(nodeName) {
			return run.data.resultData.runData[nodeName]?.[0]?.error as never;
		},
	};
}
