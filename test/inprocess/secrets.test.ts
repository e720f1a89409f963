// The API key must not surface in any error or output item, whatever goes wrong.
import { runWorkflow } from './harness/runWorkflow';
import type { Sandbox } from './harness/sandbox';
import { startSandbox } from './harness/sandbox';

jest.setTimeout(60_000);

const KEY = 'sk-sandbox-secret-7c1e94b2';
let sandbox: Sandbox;
beforeAll(async () => (sandbox = await startSandbox({ apiKey: KEY, durationMs: 200 })));
afterAll(async () => await sandbox.close());
beforeEach(() => {
	sandbox.reset();
	sandbox.configure({ serverErrorEvery: 0, rateLimitEvery: 0, quota: null, retryAfterSeconds: 1 });
});

async function query(id: string, baseUrl = sandbox.url, continueOnFail = false) {
	return await runWorkflow({
		nodes: [
			{ name: 'Task', type: 'test.testItems', parameters: { items: JSON.stringify([{ json: { id } }]) } },
			{ name: 'Query', type: 'apertisVideoQuery', parameters: {}, continueOnFail },
		],
		credentials: { baseUrl, apiKey: KEY },
	});
}

function everythingSaid(result: Awaited<ReturnType<typeof query>>): string {
	const error = result.error('Query');
	return JSON.stringify({ error, message: error?.message, description: error?.description, context: error?.context, stack: error?.stack, output: result.output('Query') });
}

describe('the API key never leaks', () => {
	test.each([
		['a 404', async () => await query('veo3:0000000000-abcdefgh')],
		['a persistent 500', async () => (sandbox.configure({ serverErrorEvery: 1 }), await query('veo3:0000000000-abcdefgh'))],
		['a persistent 429', async () => (sandbox.configure({ rateLimitEvery: 1, retryAfterSeconds: 0 }), await query('veo3:0000000000-abcdefgh'))],
		['a refused connection', async () => await query('veo3:0000000000-abcdefgh', 'http://127.0.0.1:9')],
		['Continue On Fail', async () => await query('veo3:0000000000-abcdefgh', sandbox.url, true)],
	])('%s: not in the error, its description, context or stack, nor in the output', async (_case, run) => {
		const result = await run();
		expect(result.error('Query') ?? result.output('Query')[0].json.error).toBeDefined();
		expect(everythingSaid(result)).not.toContain(KEY);
	});

	test('a create that fails with a 402 says so without the key', async () => {
		sandbox.configure({ quota: 0 });
		const result = await runWorkflow({
			nodes: [
				{ name: 'Task', type: 'test.testItems', parameters: { items: JSON.stringify([{ json: {} }]) } },
				{ name: 'Create', type: 'apertisVideoCreate', parameters: { model: 'veo2', prompt: 'A lake' } },
			],
			credentials: { baseUrl: sandbox.url, apiKey: KEY },
		});
		const error = result.error('Create');
		expect(error?.message).toBe('Your Apertis quota is exhausted');
		expect(JSON.stringify({ error, description: error?.description, stack: error?.stack })).not.toContain(KEY);
	});
});
