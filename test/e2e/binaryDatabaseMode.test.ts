/**
 * Issue 11: n8n's `database` binary mode (queue mode's default) holds at most 512 MiB per file and reads a file whole
 * into memory before storing it. A video within that limit downloads; a larger one fails before its bytes are read,
 * leaving by Failed with its id and video_url.
 */
import type { N8nEnv } from './lib';
import type { Sandbox } from '../inprocess/harness/sandbox';
import { chain, n8nWithSandbox, node } from './support';

jest.setTimeout(10 * 60_000);

describe('Downloads in n8n database binary mode (n8n execute)', () => {
	let sandbox: Sandbox;
	let env: N8nEnv;
	let cleanup: (() => Promise<void>) | undefined;

	beforeAll(async () => {
		({ sandbox, env, cleanup } = await n8nWithSandbox({
			sandbox: { durationMs: 500 },
			env: { N8N_DEFAULT_BINARY_DATA_MODE: 'database' },
		}));
		const nodes = [
			node('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
			node('Video Create', 'apertisVideoCreate', 1, { model: 'veo3', prompt: 'A lake at dawn' }),
			node('Wait Until Done', 'apertisWaitUntilDone', 2, { timeout: 1, downloadVideo: true }),
		];
		await env.importWorkflows([{ id: 'binaryDatabase1', name: 'Create → Wait with download', nodes, connections: chain(nodes.map((n) => n.name)) }]);
	});
	afterAll(async () => await cleanup?.());

	test('a video within the limit is downloaded into the database store', async () => {
		const run = await env.execute('binaryDatabase1', { timeoutMs: 3 * 60_000 });
		expect(run.error).toBeFalsy();
		const [item] = run.runData['Wait Until Done'][0].data!.main[0]!;
		expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4', id: expect.stringMatching(/^database:/), bytes: 256 * 1024 });
		expect(item.json.status).toBe('completed');
	});

	test('a 600 MiB video fails before it is read, on Failed with its id, video_url and what to do', async () => {
		sandbox.configure({ videoBytes: 600 * 1024 * 1024 });
		const run = await env.execute('binaryDatabase1', { timeoutMs: 3 * 60_000 });
		expect(run.error).toBeFalsy();
		const [completed, failed] = run.runData['Wait Until Done'][0].data!.main;
		expect(completed).toEqual([]);
		expect(failed).toHaveLength(1);
		const { json } = failed![0];
		expect(json).toMatchObject({ id: expect.any(String), status: 'completed', video_url: expect.stringContaining('/files/') });
		expect(json.error).toContain(`The video of task ${json.id} could not be downloaded: The video is 600 MiB, more than n8n's database binary mode can store (512 MiB)`);
		expect(failed![0].binary).toBeUndefined();
	});
});
