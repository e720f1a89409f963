/**
 * Issue 13: the smoke suite of every supported n8n version. It runs against the n8n the harness drives: n8n 2.41.1
 * (test/e2e/n8n-runtime; the e2e layer) and the newest n8n 1.x (APERTIS_N8N_RUNTIME=test/e2e/n8n-runtime-v1, which
 * scripts/test.sh runs after the e2e layer; installed by scripts/install-n8n-runtime-v1.sh).
 *
 * The package is installed both ways a user installs it:
 * - "Community Nodes": what Settings → Community Nodes does. n8n 1.123.81 runs the same procedure as 2.41.1
 *   (CommunityPackagesService.downloadPackage: npm pack, unpack into ~/.n8n/nodes/node_modules/<name>, drop the dev,
 *   peer and optional dependencies, `npm install` inside with the same flags): packInstall.js's installTarball.
 * - "npm install": the README's manual way, `npm install <package>` inside ~/.n8n/nodes, where npm resolves the peer
 *   dependency on n8n-workflow itself (the packed tarball stands in for the registry; npm runs on n8n's own Node).
 * Either way, what the package loads at run time (n8n-workflow, form-data) must be n8n's own copy: it is loaded the
 * way n8n loads a community package (NODE_PATH = n8n's module paths) and every resolved file is looked at.
 */
import { createHash } from 'crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

import type { N8nEnv, N8nServer } from './lib';
import { NODE_BIN, RUNTIME_MODULES, createN8nEnv, installTarball, n8nVersion, packPackage, runChecked, startN8n } from './lib';
import type { Sandbox } from '../inprocess/harness/sandbox';
import { startSandbox } from '../inprocess/harness/sandbox';
import { PACKAGE, assertReady, chain, node } from './support';

jest.setTimeout(10 * 60_000);

const FIXTURES = join(__dirname, '..', 'fixtures');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const VERSION = n8nVersion();
const NODE_FILES = ['apertisVideoCreate', 'apertisVideoQuery', 'apertisVideoFromImage', 'apertisWaitUntilDone', 'apertisSoraChatStream'];

/** The README's manual install: `npm install <package>` in ~/.n8n/nodes, npm on n8n's Node, its own peer resolution. */
async function npmInstallInNodesFolder(userFolder: string, tarball: string): Promise<string> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
	const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
	env.PATH = `${dirname(NODE_BIN)}:${process.env.PATH ?? ''}`;
	await runChecked('npm', ['install', tarball, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: nodesDir, env, timeoutMs: 5 * 60_000 });
	return join(nodesDir, 'node_modules', PACKAGE);
}

/**
 * Requires every node and credential file of the installed package the way n8n loads a community package (NODE_PATH
 * set to the module paths of n8n's dist/, as load-nodes-and-credentials does in 1.x and 2.x), under n8n's Node, and
 * reports which copy of each bare module it loaded next to n8n's own.
 */
async function modulesLoadedBy(packageDir: string): Promise<Record<string, { used: string[]; n8nOwn: string }>> {
	const script = `
		const path = require('path'), Module = require('module');
		const [runtimeModules, packageDir] = process.argv.slice(1);
		const n8nDist = path.join(runtimeModules, 'n8n', 'dist');
		process.env.NODE_PATH = Module._nodeModulePaths(n8nDist).join(path.delimiter);
		Module._initPaths();
		const pkg = require(path.join(packageDir, 'package.json'));
		for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) require(path.join(packageDir, file));
		const rootOf = (file, name) => {
			const marker = path.sep + 'node_modules' + path.sep + name + path.sep;
			const at = file.lastIndexOf(marker);
			return at < 0 ? undefined : file.slice(0, at + marker.length - 1);
		};
		const report = {};
		for (const name of ['n8n-workflow', 'form-data']) {
			const used = [...new Set(Object.keys(require.cache).map((file) => rootOf(file, name)).filter(Boolean))];
			report[name] = { used, n8nOwn: rootOf(require.resolve(name, { paths: [n8nDist] }), name) };
		}
		console.log(JSON.stringify(report));`;
	const { stdout } = await runChecked(NODE_BIN, ['-e', script, RUNTIME_MODULES, packageDir]);
	return JSON.parse(stdout);
}

describe.each([
	['Community Nodes', 'full'],
	['npm install', 'load and run'],
] as const)(`n8n ${VERSION}: the package installed by %s`, (route, depth) => {
	let sandbox: Sandbox;
	let env: N8nEnv;
	let filesDir: string;
	let packageDir: string;

	beforeAll(async () => {
		assertReady();
		sandbox = await startSandbox({ durationMs: 1000, sse: { progressIntervalMs: 100 } });
		filesDir = mkdtempSync(join(tmpdir(), 'apertis-smoke-files-'));
		env = await createN8nEnv({ env: { N8N_RESTRICT_FILE_ACCESS_TO: filesDir } });
		const { tarball } = await packPackage();
		try {
			packageDir = route === 'Community Nodes' ? (await installTarball(env.userFolder, tarball)).packageDir : await npmInstallInNodesFolder(env.userFolder, tarball);
		} finally {
			rmSync(dirname(tarball), { recursive: true, force: true });
		}
		await env.importCredentials([{ id: 'smokeCredential', name: 'Apertis sandbox', type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } }]);
		const apertis = (name: string, type: string, index: number, parameters: Record<string, unknown>) => node(name, type, index, parameters, { credentialId: 'smokeCredential' });
		copyFileSync(join(FIXTURES, 'lake.png'), join(filesDir, 'lake.png'));
		const createWait = [
			node('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
			apertis('Video Create', 'apertisVideoCreate', 1, { model: 'veo3', prompt: 'A lake at dawn [duration:1]' }),
			apertis('Wait Until Done', 'apertisWaitUntilDone', 2, { pollInterval: 5, timeout: 2, downloadVideo: true }),
			node('Save Video', 'n8n-nodes-base.readWriteFile', 3, { operation: 'write', fileName: `=${filesDir}/{{ $binary.data.fileName }}`, options: {} }),
		];
		const fromImage = [
			node('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
			node('Read Image', 'n8n-nodes-base.readWriteFile', 1, { operation: 'read', fileSelector: join(filesDir, 'lake.png'), options: {} }),
			apertis('Video From Image', 'apertisVideoFromImage', 2, { model: 'veo_3_1-fast', prompt: 'The lake ripples [duration:1]', seconds: 5, size: '16x9' }),
			apertis('Wait Until Done', 'apertisWaitUntilDone', 3, { pollInterval: 5, timeout: 2 }),
		];
		const sora = [node('Start', 'n8n-nodes-base.manualTrigger', 0, {}), apertis('Sora Chat Stream', 'apertisSoraChatStream', 1, { model: 'sora-2', prompt: 'A paper boat on a river [duration:1]' })];
		await env.importWorkflows([
			{ id: 'smokeCreateWait', name: 'Create → Wait Until Done', nodes: createWait, connections: chain(createWait.map((n) => n.name)) },
			{ id: 'smokeFromImage1', name: 'From Image → Wait Until Done', nodes: fromImage, connections: chain(fromImage.map((n) => n.name)) },
			{ id: 'smokeSoraStream', name: 'Sora Chat Stream', nodes: sora, connections: chain(sora.map((n) => n.name)) },
		]);
	});
	afterAll(async () => {
		await env?.cleanup();
		await sandbox?.close();
		if (filesDir) rmSync(filesDir, { recursive: true, force: true });
	});
	beforeEach(() => sandbox.reset());

	test('what the package loads at run time is n8n\'s own n8n-workflow and form-data', async () => {
		const loaded = await modulesLoadedBy(packageDir);
		expect(loaded['n8n-workflow'].used).toEqual([loaded['n8n-workflow'].n8nOwn]);
		expect(loaded['form-data'].used).toEqual([loaded['form-data'].n8nOwn]);
		expect(loaded['n8n-workflow'].n8nOwn.startsWith(realpathSync(RUNTIME_MODULES))).toBe(true);
	});

	test('Create → Wait Until Done downloads the video with the bytes the sandbox served', async () => {
		const run = await env.execute('smokeCreateWait');
		expect(run.error).toBeFalsy();
		const [create] = sandbox.requests().filter((r) => r.path === '/v1/video/create');
		expect(create.body).toMatchObject({ model: 'veo3', prompt: 'A lake at dawn [duration:1]' });
		const [done] = run.runData['Wait Until Done'][0].data!.main[0]!;
		expect(done.json).toMatchObject({ id: create.taskId, status: 'completed' });
		expect(done.binary?.data).toMatchObject({ mimeType: 'video/mp4' });
		const videos = sandbox.requests().filter((r) => r.server === 'files');
		expect(videos).toEqual([expect.objectContaining({ status: 200, sentAuthorization: false })]);
		const saved = String(run.runData['Save Video'][0].data!.main[0]![0].json.fileName);
		expect(sha256(readFileSync(saved))).toBe(await sandbox.videoSha256(create.taskId!));
	});

	if (depth === 'full') {
		test('From Image sends the image read by n8n byte for byte and the task completes', async () => {
			const run = await env.execute('smokeFromImage1');
			expect(run.error).toBeFalsy();
			const image = readFileSync(join(FIXTURES, 'lake.png'));
			const [upload] = sandbox.requests().filter((r) => r.path === '/v1/videos');
			expect(upload.body).toEqual({
				fields: { model: 'veo_3_1-fast', prompt: 'The lake ripples [duration:1]', seconds: '5', size: '16x9' },
				files: [{ field: 'input_reference', filename: 'lake.png', contentType: 'image/png', size: image.length, sha256: sha256(image) }],
			});
			expect(run.runData['Wait Until Done'][0].data!.main[0]![0].json).toMatchObject({ id: upload.taskId, status: 'completed' });
		});

		test('Sora Chat Stream follows the stream to the video link', async () => {
			const run = await env.execute('smokeSoraStream');
			expect(run.error).toBeFalsy();
			const [chat] = sandbox.requests().filter((r) => r.path === '/v1/chat/completions');
			expect(chat.body).toEqual({ model: 'sora-2', stream: true, messages: [{ role: 'user', content: 'A paper boat on a river [duration:1]' }] });
			expect(run.runData['Sora Chat Stream'][0].data!.main[0]![0].json).toEqual({
				task_id: chat.taskId,
				video_url: `${sandbox.filesUrl}/files/${encodeURIComponent(chat.taskId!)}.mp4`,
				progress: 100,
				status: 'completed',
			});
		});

		test('n8n start loads all five nodes and the credential; its Test button passes with the key and fails without', async () => {
			let n8n: N8nServer | undefined;
			try {
				n8n = await startN8n({ userFolder: env.userFolder, encryptionKey: env.encryptionKey, env: { N8N_RESTRICT_FILE_ACCESS_TO: filesDir } });
				const types = (await n8n.nodeTypes()).map((type: { name: string }) => type.name);
				expect(types).toEqual(expect.arrayContaining(NODE_FILES.map((name) => `${PACKAGE}.${name}`)));
				expect((await n8n.credentialTypes()).map((type: { name: string }) => type.name)).toContain('apertisApi');
				// As in the editor: the credential is saved, then its Test button sends it with the form's data.
				const good = { name: 'Apertis (editor)', type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } };
				expect(await n8n.testCredential({ id: (await n8n.createCredential(good)).id, ...good })).toMatchObject({ status: 'OK' });
				const bad = { name: 'Apertis (wrong key)', type: 'apertisApi', data: { apiKey: 'sk-not-the-sandbox-key', baseUrl: sandbox.url } };
				const wrong = await n8n.testCredential({ id: (await n8n.createCredential(bad)).id, ...bad });
				expect(wrong.status).toBe('Error');
				expect(wrong.message).not.toContain('sk-not-the-sandbox-key');
				const models = sandbox.requests().filter((r) => r.path === '/v1/models');
				expect(models[0]).toMatchObject({ method: 'GET', authorized: true, status: 200 });
				expect(models.slice(1).every((r) => !r.authorized && r.status === 401)).toBe(true);
				expect(models.length).toBeGreaterThan(1);
			} finally {
				await n8n?.stop();
			}
		});
	}
});
