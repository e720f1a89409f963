/**
 * Issue 2 in real n8n: the packed package, installed the way n8n installs a community package, runs
 * Create → Query against the sandbox; the credential's Test button succeeds; a wrong key fails the node with a
 * message saying the key is invalid, and the key is printed nowhere.
 */
import type { N8nEnv } from './lib';
import { createN8nEnv, packAndInstall, packageBuildState, runtimeInstalled } from './lib';
import type { Sandbox } from '../inprocess/harness/sandbox';
import { startSandbox } from '../inprocess/harness/sandbox';

jest.setTimeout(10 * 60_000);

const PACKAGE = 'n8n-nodes-apertis-video';
const WRONG_KEY = 'sk-wrong-5f1c9a7e3d';

function node(name: string, type: string, index: number, parameters: Record<string, unknown>, credentialId?: string) {
	return {
		id: `n${index}`,
		name,
		type,
		typeVersion: type.endsWith('.wait') ? 1.1 : 1,
		position: [index * 220, 0],
		parameters,
		...(credentialId ? { credentials: { apertisApi: { id: credentialId, name: credentialId } } } : {}),
	};
}

function chain(names: string[]) {
	return Object.fromEntries(names.slice(0, -1).map((name, i) => [name, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));
}

function createQueryWorkflow(id: string, credentialId: string) {
	const nodes = [
		node('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
		node('Video Create', `${PACKAGE}.apertisVideoCreate`, 1, { model: 'veo3', prompt: 'A lake at dawn [duration:1]', aspectRatio: '9:16' }, credentialId),
		node('Wait', 'n8n-nodes-base.wait', 2, { amount: 3, unit: 'seconds' }),
		node('Video Query', `${PACKAGE}.apertisVideoQuery`, 3, { downloadVideo: true }, credentialId),
	];
	return { id, name: `Create → Query (${credentialId})`, nodes, connections: chain(nodes.map((n) => n.name)) };
}

describe('Create → Query in real n8n against the sandbox', () => {
	let sandbox: Sandbox;
	let env: N8nEnv;

	beforeAll(async () => {
		if (!runtimeInstalled()) throw new Error('The pinned n8n runtime is missing. Run: bash scripts/install-n8n-runtime.sh');
		if (!packageBuildState().built) throw new Error('The package is not built. Run: npm run build');
		sandbox = await startSandbox();
		env = await createN8nEnv();
		await packAndInstall(env.userFolder);
		await env.importCredentials([
			{ id: 'sandboxCred0001', name: 'sandboxCred0001', type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } },
			{ id: 'wrongKeyCred001', name: 'wrongKeyCred001', type: 'apertisApi', data: { apiKey: WRONG_KEY, baseUrl: sandbox.url } },
		]);
		await env.importWorkflows([createQueryWorkflow('createQuery0001', 'sandboxCred0001'), createQueryWorkflow('wrongKey0000001', 'wrongKeyCred001')]);
	});

	afterAll(async () => {
		await env?.cleanup();
		await sandbox?.close();
	});

	beforeEach(() => sandbox.reset());

	test('the task is created, queried when done, and its video downloaded as binary', async () => {
		const run = await env.execute('createQuery0001');
		expect(run.error).toBeFalsy();
		const created = run.runData['Video Create'][0].data!.main[0]![0].json;
		expect(created).toMatchObject({ status: 'pending', id: expect.stringMatching(/^veo3:\d{10}-[a-z]{8}$/) });
		const queried = run.runData['Video Query'][0].data!.main[0]![0];
		expect(queried.json).toMatchObject({ id: created.id, status: 'completed', video_url: expect.stringContaining('/files/') });
		expect(queried.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: `${String(created.id).replace(':', '_')}.mp4` });
		const creates = sandbox.requests().filter((r) => r.path === '/v1/video/create');
		expect(creates.map((r) => r.body)).toEqual([
			{ model: 'veo3', prompt: 'A lake at dawn [duration:1]', enhance_prompt: false, enable_upsample: false, aspect_ratio: '9:16' },
		]);
		expect(creates[0].authorized).toBe(true);
	});

	test('a wrong key fails the node with "The Apertis API key is invalid", and the key is printed nowhere', async () => {
		const run = await env.execute('wrongKey0000001');
		expect(run.ok).toBe(false);
		const nodeError = run.runData['Video Create'][0].error;
		expect(nodeError.message).toBe('The Apertis API key is invalid');
		expect(nodeError.description).toContain('Open the Apertis API credential');
		expect(JSON.stringify(run.runData)).not.toContain(WRONG_KEY);
		expect(run.stdout + run.stderr).not.toContain(WRONG_KEY);
		expect(sandbox.requests().filter((r) => r.path === '/v1/video/create')).toEqual([
			expect.objectContaining({ authorized: false, status: 401 }),
		]);
	});
});
