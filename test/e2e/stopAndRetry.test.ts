/**
 * In a running n8n (n8n start, in both n8n versions: scripts/test.sh runs this file in n8n 1.x too): Stop ends the
 * polling within a second; Stop during Sora streams side by side closes every stream and names every task id; and
 * n8n's Retry execution of a batch that failed at a 402 creates only the rows the failed run had not.
 */
import type { RunningN8nWithSandbox } from './support';
import { chain, node, runningN8nWithSandbox, until } from './support';

jest.setTimeout(10 * 60_000);

describe('Stop and Retry execution in a running n8n', () => {
	let running: RunningN8nWithSandbox;

	beforeAll(async () => (running = await runningN8nWithSandbox()));
	afterAll(async () => await running?.cleanup());

	test('stopping the execution ends the polling within a second', async () => {
		const { sandbox, n8n, apertis } = running;
		const nodes = [
			{ ...node('Webhook', 'n8n-nodes-base.webhook', 0, { path: 'start-endless', responseMode: 'onReceived', options: {} }, { typeVersion: 2 }), webhookId: 'b7e2d0c4-1f3a-4e5b-8c6d-7e8f9a0b1c2d' },
			{ ...node('Video Create', 'apertisVideoCreate', 1, { model: 'veo3', prompt: 'Endless [never]' }), credentials: apertis },
			{ ...node('Wait Until Done', 'apertisWaitUntilDone', 2, { timeout: 30 }), credentials: apertis },
		];
		const workflow = await n8n.createWorkflow({ name: 'Endless wait', nodes, connections: chain(nodes.map((n) => n.name)), settings: {} });
		await n8n.activateWorkflow(workflow.id, '/webhook/start-endless');

		// The Wait Until Done node is polling: wait for a few polls, then press Stop.
		await until(async () => sandbox.requests().filter((r) => r.path === '/v1/video/query').length >= 2, 'the first polls');
		const executions = await n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: workflow.id, status: ['running'] }))}`);
		const execution = executions.results[0];
		expect(execution).toBeDefined();
		const stoppedAt = Date.now();
		await n8n.rest('POST', `/rest/executions/${execution.id}/stop`);
		await until(async () => (await n8n.rest('GET', `/rest/executions/${execution.id}`)).status !== 'running', 'the execution to end');
		await new Promise((resolve) => setTimeout(resolve, 3000));
		const lastPoll = Math.max(...sandbox.requests().filter((r) => r.path === '/v1/video/query').map((r) => r.at));
		expect(lastPoll - stoppedAt).toBeLessThan(1000);
	});

	test('Stop during Sora streams side by side ends every stream and names every created task id', async () => {
		const { sandbox, n8n, apertis } = running;
		sandbox.reset();
		const prompts = ['One', 'Two', 'Three'].map((name) => ({ prompt: `Stream ${name} [never]` }));
		const nodes = [
			{ ...node('Webhook', 'n8n-nodes-base.webhook', 0, { path: 'start-streams', responseMode: 'onReceived', options: {} }, { typeVersion: 2 }), webhookId: 'c3d4e5f6-0a1b-4c2d-9e3f-5a6b7c8d9e0f' },
			node('Prompts', 'n8n-nodes-base.set', 1, { mode: 'raw', jsonOutput: JSON.stringify({ rows: prompts }), options: {} }, { typeVersion: 3.4 }),
			node('Rows', 'n8n-nodes-base.splitOut', 2, { fieldToSplitOut: 'rows', options: {} }),
			{ ...node('Sora Chat Stream', 'apertisSoraChatStream', 3, { model: 'sora-2', prompt: '={{ $json.prompt }}' }), credentials: apertis },
		];
		const workflow = await n8n.createWorkflow({ name: 'Endless streams', nodes, connections: chain(nodes.map((n) => n.name)), settings: {} });
		await n8n.activateWorkflow(workflow.id, '/webhook/start-streams');

		// All three streams open at once (the default concurrency is 8), each with its task id sent.
		const streams = () => sandbox.requests().filter((r) => r.path === '/v1/chat/completions');
		await until(async () => streams().length === 3 && sandbox.tasks().length === 3, 'three streams side by side');
		await new Promise((resolve) => setTimeout(resolve, 1000)); // a few progress events each
		const executions = await n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: workflow.id, status: ['running'] }))}`);
		const execution = executions.results[0];
		await n8n.rest('POST', `/rest/executions/${execution.id}/stop`);
		await until(async () => (await n8n.rest('GET', `/rest/executions/${execution.id}`)).status !== 'running', 'the execution to end');
		// Every stream's connection was closed by the client (the sandbox logs a stream it could not finish as dropped).
		await until(async () => streams().every((r) => r.fault === 'dropped'), 'every stream to be closed');
		// n8n keeps only its own "cancelled" error for a stopped execution: the node names the tasks in n8n's log.
		await until(async () => sandbox.tasks().every((task) => n8n.output().includes(String(task.id))), 'the ids in the log', 5000);
		const output = n8n.output();
		const at = output.indexOf('The execution was stopped while 3 tasks were still running');
		expect(at).toBeGreaterThanOrEqual(0);
		const warning = output.slice(at, output.indexOf('\n', output.indexOf('\n', at) + 1));
		for (const task of sandbox.tasks()) expect(warning).toContain(String(task.id));
	});

	test("n8n's Retry execution of a batch that failed at the 4th create (402) creates only the 6 rows it had not", async () => {
		const { sandbox, n8n, apertis } = running;
		sandbox.reset();
		sandbox.configure({ quota: 3 });
		const prompts = Array.from({ length: 9 }, (_, row) => ({ prompt: `Retry row ${row} [duration:0.5]` }));
		const nodes = [
			{ ...node('Webhook', 'n8n-nodes-base.webhook', 0, { path: 'start-retry', responseMode: 'onReceived', options: {} }, { typeVersion: 2 }), webhookId: 'd4e5f6a7-1b2c-4d3e-8f4a-6b7c8d9e0f1a' },
			node('Prompts', 'n8n-nodes-base.set', 1, { mode: 'raw', jsonOutput: JSON.stringify({ rows: prompts }), options: {} }, { typeVersion: 3.4 }),
			node('Rows', 'n8n-nodes-base.splitOut', 2, { fieldToSplitOut: 'rows', options: {} }),
			{ ...node('Video Create', 'apertisVideoCreate', 3, { model: 'veo3-fast', prompt: '={{ $json.prompt }}', batchOptions: { concurrency: 1 } }), credentials: apertis },
			{ ...node('Wait Until Done', 'apertisWaitUntilDone', 4, { timeout: 1 }), credentials: apertis },
		];
		const workflow = await n8n.createWorkflow({ name: 'Retry after 402', nodes, connections: chain(nodes.map((n) => n.name)), settings: {} });
		await n8n.activateWorkflow(workflow.id, '/webhook/start-retry');
		const listed = async () => (await n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: workflow.id }))}`)).results;
		await until(async () => (await listed()).some((e: { status: string }) => e.status === 'error'), 'the batch to fail at the 4th create');
		const accepted = () => sandbox.tasks().length;
		expect(accepted()).toBe(3);

		sandbox.configure({ quota: null }); // topped up
		const [failed] = await listed();
		const retried = await n8n.rest('POST', `/rest/executions/${failed.id}/retry`, { loadWorkflow: false });
		expect(retried.status).toBe('success');
		// 3 before the 402, then only the 6 rows the failed run had not created.
		expect(accepted()).toBe(9);
		expect(sandbox.requests().filter((r) => r.path === '/v1/video/create' && r.status === 200)).toHaveLength(9);
		expect(new Set(sandbox.tasks().map((t) => t.prompt)).size).toBe(9);
	});
});
