/**
 * The real-n8n harness itself: the pinned n8n runs workflows headlessly (n8n's own nodes only), a community package
 * installed the way n8n installs one resolves its imports like a real installation, and the packed package is
 * loaded by `n8n start` under its real type names.
 *
 * Needs: bash scripts/install-n8n-runtime.sh (fails, with that command, when missing) and `npm run build` for the
 * packed-package tests (skipped with a message only when dist/ does not exist at all).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
	DIST_DIR,
	REPO_ROOT,
	RUNTIME_MODULES,
	createN8nEnv,
	installTarball,
	n8nVersion,
	packAndInstall,
	packPackage,
	packageBuildState,
	runProcess,
	runtimeInstalled,
	startN8n,
	NODE_BIN,
	type N8nEnv,
	type N8nServer,
} from './lib';

jest.setTimeout(10 * 60_000);

const PACKAGE_NAME = 'n8n-nodes-apertis-video';

function requireRuntime(): void {
	if (!runtimeInstalled()) {
		throw new Error('The pinned n8n runtime is missing. Run: bash scripts/install-n8n-runtime.sh');
	}
}

const manualTrigger = {
	id: 'node-trigger',
	name: 'When clicking Execute',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

function chain(names: string[]): Record<string, unknown> {
	const connections: Record<string, unknown> = {};
	for (let i = 0; i + 1 < names.length; i += 1) {
		connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	}
	return connections;
}

describe('the pinned n8n runtime', () => {
	let env: N8nEnv | undefined;

	beforeAll(async () => {
		requireRuntime();
		env = await createN8nEnv();
		await env.importWorkflows([
			{
				id: 'e2eCodeSet00001',
				name: 'Code then Set',
				nodes: [
					manualTrigger,
					{
						id: 'node-code',
						name: 'Code',
						type: 'n8n-nodes-base.code',
						typeVersion: 2,
						position: [220, 0],
						parameters: { jsCode: "return [{ json: { n: 1, word: 'one' } }, { json: { n: 2, word: 'two' } }];" },
					},
					{
						id: 'node-set',
						name: 'Set',
						type: 'n8n-nodes-base.set',
						typeVersion: 3.4,
						position: [440, 0],
						parameters: {
							assignments: {
								assignments: [
									{ id: 'a1', name: 'tenfold', value: '={{ $json.n * 10 }}', type: 'number' },
									{ id: 'a2', name: 'word', value: '={{ $json.word.toUpperCase() }}', type: 'string' },
								],
							},
							options: {},
						},
					},
				],
				connections: chain(['When clicking Execute', 'Code', 'Set']),
			},
			{
				id: 'e2eFailing00001',
				name: 'Code that throws',
				nodes: [
					manualTrigger,
					{
						id: 'node-throw',
						name: 'Throw',
						type: 'n8n-nodes-base.code',
						typeVersion: 2,
						position: [220, 0],
						parameters: { jsCode: "throw new Error('deliberate failure 7f3a');" },
					},
				],
				connections: chain(['When clicking Execute', 'Throw']),
			},
		]);
	});

	afterAll(async () => {
		await env?.cleanup();
	});

	test('is n8n 2.41.1 on Node 24', async () => {
		expect(n8nVersion()).toBe('2.41.1');
		const { stdout } = await runProcess(NODE_BIN, ['--version']);
		expect(stdout.trim()).toMatch(/^v24\./);
	});

	test('executes a workflow of n8n nodes headlessly and returns every node’s items', async () => {
		const run = await env!.execute('e2eCodeSet00001');
		expect(run.error).toBeUndefined();
		expect(run.ok).toBe(true);
		expect(run.lastNodeExecuted).toBe('Set');
		expect(Object.keys(run.runData).sort()).toEqual(['Code', 'Set', 'When clicking Execute']);
		const setItems = run.runData.Set[0].data!.main[0]!;
		expect(setItems.map((item) => item.json)).toEqual([
			{ tenfold: 10, word: 'ONE' },
			{ tenfold: 20, word: 'TWO' },
		]);
		expect(setItems.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	test('reports a failing node: ok is false and the error names the node and its message', async () => {
		const run = await env!.execute('e2eFailing00001');
		expect(run.ok).toBe(false);
		expect(run.lastNodeExecuted).toBe('Throw');
		expect(JSON.stringify(run.error)).toContain('deliberate failure 7f3a');
		expect(JSON.stringify(run.runData.Throw[0].error)).toContain('deliberate failure 7f3a');
	});

	test('execute-batch runs several workflows in one process and writes their snapshots', async () => {
		const batch = await env!.executeBatch(['e2eCodeSet00001']);
		expect(batch.code).toBe(0);
		expect(batch.summary).toBeDefined();
		const snapshot = batch.snapshots.e2eCodeSet00001;
		expect(snapshot).toBeDefined();
		expect(JSON.stringify(snapshot)).toContain('"tenfold":20');
	});
});

describe('a community package installed the way n8n installs one', () => {
	let env: N8nEnv | undefined;
	let probeRoot: string | undefined;

	// A minimal community package that lists NO runtime dependencies and requires form-data and n8n-workflow.
	function writeProbePackage(): string {
		const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apertis-probe-pkg-'));
		fs.mkdirSync(path.join(root, 'dist'));
		fs.writeFileSync(
			path.join(root, 'package.json'),
			JSON.stringify(
				{
					name: 'n8n-nodes-resolution-probe',
					version: '1.0.0',
					keywords: ['n8n-community-node-package'],
					main: 'index.js',
					files: ['dist'],
					n8n: { n8nNodesApiVersion: 1, nodes: ['dist/ResolutionProbe.node.js'] },
					peerDependencies: { 'n8n-workflow': '*' },
					devDependencies: { 'form-data': '*', 'n8n-workflow': '*' },
				},
				null,
				2,
			),
		);
		fs.writeFileSync(
			path.join(root, 'dist', 'ResolutionProbe.node.js'),
			`'use strict';
const { NodeOperationError } = require('n8n-workflow');
class ResolutionProbe {
	constructor() {
		this.description = {
			displayName: 'Resolution Probe', name: 'resolutionProbe', group: ['transform'], version: 1,
			description: 'Reports where its requires resolve', defaults: { name: 'Resolution Probe' },
			inputs: ['main'], outputs: ['main'], properties: [],
		};
	}
	async execute() {
		const where = (id) => { try { return require.resolve(id); } catch (error) { return 'UNRESOLVED: ' + error.message; } };
		const FormData = require('form-data');
		const form = new FormData();
		form.append('field', 'value');
		return [[{ json: {
			formData: where('form-data'),
			n8nWorkflow: where('n8n-workflow'),
			formDataBody: form.getBuffer().toString('utf8'),
			nodeOperationError: typeof NodeOperationError,
		} }]];
	}
}
module.exports = { ResolutionProbe };
`,
		);
		return root;
	}

	beforeAll(async () => {
		requireRuntime();
		probeRoot = writeProbePackage();
		env = await createN8nEnv();
		const { tarball } = await packPackage({ packageRoot: probeRoot });
		const installed = await installTarball(env.userFolder, tarball);
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
		// n8n strips dev/peer/optional dependencies before `npm install`: nothing may have been installed.
		expect(fs.existsSync(path.join(installed.packageDir, 'node_modules', 'form-data'))).toBe(false);
		expect(fs.existsSync(path.join(installed.packageDir, 'node_modules', 'n8n-workflow'))).toBe(false);
		const manifest = JSON.parse(fs.readFileSync(path.join(installed.packageDir, 'package.json'), 'utf8'));
		expect(manifest.peerDependencies).toBeUndefined();
		expect(manifest.devDependencies).toBeUndefined();
		await env.importWorkflows([
			{
				id: 'e2eProbe0000001',
				name: 'Resolution probe',
				nodes: [
					manualTrigger,
					{
						id: 'node-probe',
						name: 'Probe',
						type: 'n8n-nodes-resolution-probe.resolutionProbe',
						typeVersion: 1,
						position: [220, 0],
						parameters: {},
					},
				],
				connections: chain(['When clicking Execute', 'Probe']),
			},
		]);
	});

	afterAll(async () => {
		await env?.cleanup();
		if (probeRoot) fs.rmSync(probeRoot, { recursive: true, force: true });
	});

	test('resolves form-data and n8n-workflow from n8n’s own node_modules (NODE_PATH), not from the package', async () => {
		const run = await env!.execute('e2eProbe0000001');
		expect(run.error).toBeUndefined();
		const json = run.runData.Probe[0].data!.main[0]![0].json;
		expect(json.formData).toBe(require.resolve(path.join(RUNTIME_MODULES, 'form-data')));
		expect(json.n8nWorkflow).toBe(require.resolve(path.join(RUNTIME_MODULES, 'n8n-workflow')));
		expect(json.formDataBody).toContain('name="field"');
		expect(json.nodeOperationError).toBe('function');
	});
});

const distExists = fs.existsSync(DIST_DIR);
if (!distExists) {
	// eslint-disable-next-line no-console
	console.warn(`SKIPPED: the packed-package tests need dist/ (run \`npm run build\` in ${REPO_ROOT}).`);
}
const describeBuilt = distExists ? describe : describe.skip;

describeBuilt(`the packed ${PACKAGE_NAME} in n8n start (needs dist/: npm run build)`, () => {
	let server: N8nServer | undefined;
	let userFolder: string | undefined;
	let packedFiles: string[] = [];
	let sandbox: { url: string; apiKey: string; requests(): Array<{ method: string; path: string; authorized: boolean }>; close(): Promise<void> } | undefined;
	const packageJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));

	beforeAll(async () => {
		requireRuntime();
		const state = packageBuildState();
		if (!state.built) throw new Error(`dist/ is incomplete; missing: ${state.missing.join(', ')}`);
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'apertis-e2e-start-'));
		const packed = await packPackage();
		packedFiles = packed.files;
		try {
			await packAndInstall(userFolder, { tarball: packed.tarball });
		} finally {
			fs.rmSync(path.dirname(packed.tarball), { recursive: true, force: true });
		}
		server = await startN8n({ userFolder });
	});

	afterAll(async () => {
		await server?.stop();
		await sandbox?.close();
		if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
	});

	test('the tarball ships dist/, its "main" file and package metadata only', () => {
		expect(packedFiles).toContain('package.json');
		const main = packageJson.main ? path.posix.normalize(packageJson.main) : undefined;
		for (const file of [...packageJson.n8n.nodes, ...packageJson.n8n.credentials]) {
			expect(packedFiles).toContain(file);
		}
		const unexpected = packedFiles.filter(
			(file) =>
				!file.startsWith('dist/') &&
				file !== main &&
				!/^(package\.json|README\.md|LICEN[CS]E(\.md)?|CHANGELOG\.md)$/i.test(file),
		);
		expect(unexpected).toEqual([]);
	});

	test('/types/nodes.json lists every node of the package under its real type name', async () => {
		const types = await server!.nodeTypes();
		const ours = [...new Set(types.map((type) => type.name as string))].filter((name) =>
			name.startsWith(`${PACKAGE_NAME}.`),
		);
		expect(ours).toContain(`${PACKAGE_NAME}.apertisVideoCreate`);
		const nonTool = ours.filter((name) => !name.endsWith('Tool'));
		expect(nonTool).toHaveLength(packageJson.n8n.nodes.length);
		// n8n rejects nothing silently: no loader error for the package in its output.
		expect(server!.output()).not.toMatch(new RegExp(`Failed to load package "${PACKAGE_NAME}"`));
	});

	test('/types/credentials.json lists the apertisApi credential', async () => {
		const credentials = await server!.credentialTypes();
		const apertis = credentials.find((type) => type.name === 'apertisApi');
		expect(apertis).toBeDefined();
		expect(apertis.properties.map((property: { name: string }) => property.name)).toEqual(
			expect.arrayContaining(['apiKey', 'baseUrl']),
		);
	});

	test('the credential’s Test button (POST /rest/credentials/test) accepts the right key and rejects a wrong one', async () => {
		let sandboxModule: { startSandbox(options: Record<string, unknown>): Promise<typeof sandbox> };
		try {
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			sandboxModule = require('../sandbox');
		} catch (error) {
			throw new Error(`test/sandbox/index.js could not be loaded: ${(error as Error).message}`);
		}
		sandbox = await sandboxModule.startSandbox({ port: 0 });
		const good = { name: 'Apertis (sandbox)', type: 'apertisApi', data: { apiKey: sandbox!.apiKey, baseUrl: sandbox!.url } };
		const created = await server!.createCredential(good);
		expect(await server!.testCredential({ id: created.id, ...good })).toMatchObject({ status: 'OK' });

		const bad = { name: 'Apertis (wrong key)', type: 'apertisApi', data: { apiKey: 'sk-wrong', baseUrl: sandbox!.url } };
		const createdBad = await server!.createCredential(bad);
		const result = await server!.testCredential({ id: createdBad.id, ...bad });
		expect(result.status).toBe('Error');
		expect(result.message).not.toContain('sk-wrong');
		// Both tests really called GET {baseUrl}/v1/models: first with the right key, then (n8n may try twice) the wrong one.
		const calls = sandbox!.requests().map((r) => [r.method, r.path, r.authorized]);
		expect(calls[0]).toEqual(['GET', '/v1/models', true]);
		expect(calls.length).toBeGreaterThan(1);
		expect(calls.slice(1)).toEqual(calls.slice(1).map(() => ['GET', '/v1/models', false]));
	});
});
