// nodes/shared/items.ts in a real execution, through Video Query (the node that runs mapItems): a failing item named,
// and Continue On Fail or a tool call (node type …Tool) turning it into an output item while the others go on.
// Pairing is not shown here: n8n-core pairs the items of a node that returns as many as it got by position itself.
import { PACKAGE, runWorkflow } from './harness/runWorkflow';
import { registerNodeType } from './harness/nodeTypes';
import type { Sandbox } from './harness/sandbox';
import { startSandbox } from './harness/sandbox';
import { ApertisVideoQuery } from '../../nodes/ApertisVideoQuery/ApertisVideoQuery.node';

// n8n names the tool version of a node `<type>Tool`; the node's code is the same.
registerNodeType(`${PACKAGE}.apertisVideoQueryTool`, new ApertisVideoQuery());

const UNKNOWN = 'veo3:0000000000-zzzzzzzz';

let sandbox: Sandbox;
beforeAll(async () => (sandbox = await startSandbox({ durationMs: 60_000 })));
afterAll(async () => await sandbox.close());
beforeEach(() => sandbox.reset());

async function createTask(prompt: string): Promise<string> {
	const response = await fetch(`${sandbox.url}/v1/video/create`, {
		method: 'POST',
		headers: { authorization: `Bearer ${sandbox.apiKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ model: 'veo3', prompt }),
	});
	return ((await response.json()) as { id: string }).id;
}

/** Queries [a task, an unknown id, another task]: the middle item fails with a 404. */
async function queryThree(type: string, continueOnFail = false) {
	const ids = [await createTask('one'), UNKNOWN, await createTask('three')];
	const result = await runWorkflow({
		nodes: [
			{ name: 'Tasks', type: 'test.testItems', parameters: { items: JSON.stringify(ids.map((id) => ({ json: { id } }))) } },
			{ name: 'Query', type, parameters: {}, continueOnFail },
		],
		credentials: { baseUrl: sandbox.url, apiKey: sandbox.apiKey },
	});
	const queried = sandbox.requests().filter((r) => r.path === '/v1/video/query').map((r) => r.query.id);
	return { ids, result, queried };
}

describe('mapItems through n8n-core', () => {
	test('a failing item fails the node naming it; the items after it are not asked about', async () => {
		const { ids, result, queried } = await queryThree('apertisVideoQuery');
		const error = result.error('Query');
		expect(error?.message).toBe(`Task ${UNKNOWN} was not found`);
		expect(error?.context?.itemIndex).toBe(1);
		expect(error?.description).toContain('(item 1)');
		expect(queried).toEqual(ids.slice(0, 2));
	});

	test('Continue On Fail: the failing item becomes an item with its error and task id, in its place', async () => {
		const { ids, result, queried } = await queryThree('apertisVideoQuery', true);
		const items = result.output('Query');
		expect(items.map((item) => item.json.id)).toEqual(ids);
		expect(items[1].json).toEqual({ error: `Task ${UNKNOWN} was not found`, errorDescription: expect.stringContaining('404 Not Found'), id: UNKNOWN });
		expect([items[0].json.status, items[2].json.status]).toEqual(['pending', 'pending']);
		expect(queried).toEqual(ids);
	});

	test('as a tool, without Continue On Fail, a failing item also becomes an item (a thrown error would reach the model empty)', async () => {
		const { ids, result } = await queryThree('apertisVideoQueryTool');
		expect(result.error('Query')).toBeUndefined();
		const items = result.output('Query');
		expect(items.map((item) => item.json.error)).toEqual([undefined, `Task ${UNKNOWN} was not found`, undefined]);
		expect(items[1].json.id).toBe(ids[1]);
	});
});
