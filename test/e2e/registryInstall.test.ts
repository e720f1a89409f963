/**
 * The path a user takes: Settings → Community Nodes → Install, which makes n8n fetch the package from a registry.
 * The packed package is published to a private registry on 127.0.0.1 (verdaccio 6.8.0, no uplink, a user and token
 * made through its API), n8n is pointed at it, and everything goes through n8n's own community-packages REST API as
 * the owner, the calls the Community Nodes screen makes: install (`POST /rest/community-packages {name}`), a workflow
 * with the package's nodes run against the sandbox, 0.1.1 published, the update shown and installed
 * (`PATCH /rest/community-packages {name}`), uninstall (`DELETE /rest/community-packages?name=…`). One `n8n start`.
 *
 * It runs in the n8n the harness drives: n8n 2.41.1 (the e2e layer) and n8n 1.123.81 (scripts/test.sh runs it again
 * with APERTIS_N8N_RUNTIME=test/e2e/n8n-runtime-v1): both have the same API routes and install procedure.
 *
 * Pointing n8n at a private registry: N8N_COMMUNITY_PACKAGES_REGISTRY. In both versions n8n refuses a registry other
 * than https://registry.npmjs.org unless its licence has `feat:communityNodes:customRegistry` (an Enterprise
 * feature; CommunityPackagesService.getNpmRegistry throws FeatureNotLicensedError), and passes the registry to npm on
 * its command line, so npm's own settings can't redirect it. The test therefore starts n8n in its own end-to-end test
 * mode (E2E_TESTS=true, what n8n's own tests use: no licence, features switched by `PATCH /rest/e2e/feature`) and
 * switches that one feature on. From there the install, update and uninstall are n8n's unchanged code: `npm pack` from
 * the registry, unpack into ~/.n8n/nodes/node_modules/<name>, `npm install` inside, load the nodes.
 *
 * No network but 127.0.0.1: the registry has no uplink. ~/.npmrc-style settings in ~/.n8n/nodes/.npmrc (registry, cache)
 * send the npm command n8n runs there without a --registry, `npm outdated` (how the Community Nodes screen learns of
 * updates), to it too: n8n 1.x runs that npm with PATH as its only environment variable, so neither
 * N8N_COMMUNITY_PACKAGES_REGISTRY nor npm_config_* reach it, only that file. HTTP(S)_PROXY points n8n and the npm it
 * starts at an egress guard that refuses everything (NO_PROXY: the loopback names), so the package-status check n8n
 * makes before an install (api.n8n.io) is refused, as when offline, and recorded. Everything (registry storage, npm's
 * config and cache, n8n's user folder) lives in one temp folder the test removes.
 *
 * One difference between the versions: uninstalling in n8n 1.x deletes the package's folder and record but leaves
 * its entry in ~/.n8n/nodes/package.json; n8n 2.x removes that too.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { N8nServer } from './lib';
import { n8nVersion, packPackage, runChecked, startN8n } from './lib';
import type { EgressGuard, PrivateRegistry } from './registrySupport';
import { assertRegistryInstalled, startEgressGuard, startPrivateRegistry } from './registrySupport';
import type { Sandbox } from '../inprocess/harness/sandbox';
import { startSandbox } from '../inprocess/harness/sandbox';
import { PACKAGE, assertReady, chain, node } from './support';

jest.setTimeout(10 * 60_000);

const VERSION = n8nVersion();
const MAJOR = Number(VERSION.split('.')[0]);
const NODE_NAMES = ['apertisSoraChatStream', 'apertisVideoCreate', 'apertisVideoFromImage', 'apertisVideoQuery', 'apertisWaitUntilDone'];
const NODE_TYPES = NODE_NAMES.map((name) => `${PACKAGE}.${name}`);
const WEBHOOK_PATH = 'registry-install-run';

describe(`n8n ${VERSION}: installed from a registry through the Community Nodes API`, () => {
	let work: string;
	let sandbox: Sandbox;
	let guard: EgressGuard;
	let registry: PrivateRegistry;
	let n8n: N8nServer;
	let version: string;
	let nodesDir: string;
	let workflowId: string;

	const installedDir = () => join(nodesDir, 'node_modules', PACKAGE);
	const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
	const packageTypes = async () => (await n8n.nodeTypes()).map((type: { name: string }) => type.name).filter((name: string) => name.startsWith(`${PACKAGE}.`));

	/** The workflow's production webhook: Video Create → Wait Until Done, answered with Wait Until Done's first item. */
	async function runWorkflow(prompt: string): Promise<Record<string, unknown>> {
		const url = `${n8n.baseUrl}/webhook/${WEBHOOK_PATH}?prompt=${encodeURIComponent(prompt)}`;
		// Right after activation the webhook registers in the background: n8n answers 404 until it is there.
		for (let attempt = 0; attempt < 300; attempt++) {
			const response = await fetch(url);
			if (response.status !== 404) {
				const text = await response.text();
				if (response.status !== 200) throw new Error(`the webhook answered ${response.status}: ${text}`);
				return JSON.parse(text);
			}
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		throw new Error(`${url} was never registered`);
	}

	beforeAll(async () => {
		assertReady();
		assertRegistryInstalled();
		work = mkdtempSync(join(tmpdir(), 'apertis-registry-'));
		sandbox = await startSandbox({ durationMs: 1000 });
		guard = await startEgressGuard();
		registry = await startPrivateRegistry(join(work, 'registry'));

		mkdirSync(join(work, 'pack'));
		const packed = await packPackage({ destination: join(work, 'pack') });
		version = packed.version;
		await registry.publish(packed.tarball);

		const userFolder = join(work, 'n8n');
		nodesDir = join(userFolder, '.n8n', 'nodes');
		// npm's config for the commands n8n runs in ~/.n8n/nodes without a --registry: the update check (`npm outdated`).
		// n8n 1.x runs that npm with PATH as its only setting (no HOME, no proxy), so only a file there reaches it.
		mkdirSync(nodesDir, { recursive: true });
		writeFileSync(join(nodesDir, '.npmrc'), `registry=${registry.url}/\ncache=${join(userFolder, '.npm')}\nupdate-notifier=false\n`);
		const loopback = '127.0.0.1,localhost';
		n8n = await startN8n({
			userFolder,
			env: {
				E2E_TESTS: 'true',
				N8N_COMMUNITY_PACKAGES_REGISTRY: registry.url,
				HTTP_PROXY: guard.url,
				HTTPS_PROXY: guard.url,
				http_proxy: guard.url,
				https_proxy: guard.url,
				NO_PROXY: loopback,
				no_proxy: loopback,
			},
		});
		await n8n.rest('PATCH', '/rest/e2e/feature', { feature: 'feat:communityNodes:customRegistry', enabled: true });
	});

	afterAll(async () => {
		await n8n?.stop();
		await registry?.stop();
		await guard?.stop();
		await sandbox?.close();
		if (work) rmSync(work, { recursive: true, force: true, maxRetries: 3 });
	});

	test('Install: n8n fetches the package from the registry, installs no dependencies and loads its five nodes', async () => {
		expect(await registry.versions(PACKAGE)).toEqual([version]);
		expect(await packageTypes()).toEqual([]);

		const installed = await n8n.rest('POST', '/rest/community-packages', { name: PACKAGE });
		expect(installed).toMatchObject({ packageName: PACKAGE, installedVersion: version });
		expect(installed.installedNodes.map((n: { type: string }) => n.type).sort()).toEqual(NODE_TYPES);

		expect(readJson(join(installedDir(), 'package.json'))).toMatchObject({ name: PACKAGE, version });
		// n8n drops the dev and peer dependencies before its `npm install`: with no runtime dependencies nothing is added.
		expect(readJson(join(installedDir(), 'package.json')).peerDependencies).toBeUndefined();
		expect(existsSync(join(installedDir(), 'node_modules'))).toBe(false);
		expect(readJson(join(nodesDir, 'package.json')).dependencies).toEqual({ [PACKAGE]: version });

		// Loaded without a restart, as the editor's node panel sees it.
		expect((await packageTypes()).filter((type: string) => !type.endsWith('Tool')).sort()).toEqual(NODE_TYPES);
		expect((await n8n.credentialTypes()).map((type: { name: string }) => type.name)).toContain('apertisApi');
		const listed = await n8n.rest('GET', '/rest/community-packages');
		expect(listed).toEqual([expect.objectContaining({ packageName: PACKAGE, installedVersion: version })]);
		expect(listed[0].updateAvailable).toBeUndefined();
	});

	test('a workflow with its nodes runs against the sandbox: Video Create → Wait Until Done', async () => {
		const credential = await n8n.createCredential({ name: 'Apertis sandbox', type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } });
		const apertis = { apertisApi: { id: credential.id, name: 'Apertis sandbox' } };
		const nodes = [
			{ ...node('Webhook', 'n8n-nodes-base.webhook', 0, { path: WEBHOOK_PATH, responseMode: 'lastNode', options: {} }, { typeVersion: 2 }), webhookId: '5d7c1f0e-8a4b-4c2d-9e6f-3b1a2c4d5e6f' },
			{ ...node('Video Create', 'apertisVideoCreate', 1, { model: 'veo3', prompt: '={{ $json.query.prompt }}' }), credentials: apertis },
			{ ...node('Wait Until Done', 'apertisWaitUntilDone', 2, { pollInterval: 5, timeout: 2 }), credentials: apertis },
		];
		const workflow = await n8n.createWorkflow({ name: 'Installed from the registry', nodes, connections: chain(nodes.map((n) => n.name)) });
		workflowId = workflow.id;
		const { versionId } = await n8n.rest('GET', `/rest/workflows/${workflowId}`);
		await n8n.rest('POST', `/rest/workflows/${workflowId}/activate`, { versionId });

		const done = await runWorkflow('A lake at dawn [duration:1]');
		const creates = sandbox.requests().filter((r) => r.path === '/v1/video/create');
		expect(creates).toHaveLength(1);
		expect(creates[0].body).toMatchObject({ model: 'veo3', prompt: 'A lake at dawn [duration:1]' });
		expect(done).toMatchObject({ id: creates[0].taskId, status: 'completed' });
	});

	test('Update: a newer version in the registry shows as available, and updating installs it in place', async () => {
		// 0.1.1: a copy of the package with only the version bumped, published like a release.
		const next = join(work, 'next');
		mkdirSync(next);
		await runChecked('tar', ['-xzf', join(work, 'pack', `${PACKAGE}-${version}.tgz`), '-C', next, '--strip-components=1']);
		const manifest = readJson(join(next, 'package.json'));
		const nextVersion = version.replace(/\d+$/, (patch) => String(Number(patch) + 1));
		writeFileSync(join(next, 'package.json'), JSON.stringify({ ...manifest, version: nextVersion }, null, 2));
		await registry.publish(next);
		expect((await registry.versions(PACKAGE)).sort()).toEqual([version, nextVersion]);

		// The Community Nodes screen's list: n8n runs `npm outdated` in ~/.n8n/nodes to find updates.
		const listed = await n8n.rest('GET', '/rest/community-packages');
		expect(listed).toEqual([expect.objectContaining({ packageName: PACKAGE, installedVersion: version, updateAvailable: nextVersion })]);

		const updated = await n8n.rest('PATCH', '/rest/community-packages', { name: PACKAGE });
		expect(updated).toMatchObject({ packageName: PACKAGE, installedVersion: nextVersion });
		expect(updated.installedNodes.map((n: { type: string }) => n.type).sort()).toEqual(NODE_TYPES);
		expect(readJson(join(installedDir(), 'package.json')).version).toBe(nextVersion);
		expect(readJson(join(nodesDir, 'package.json')).dependencies).toEqual({ [PACKAGE]: nextVersion });
		expect(await n8n.rest('GET', '/rest/community-packages')).toEqual([expect.objectContaining({ installedVersion: nextVersion })]);

		// The active workflow runs on the updated nodes.
		sandbox.reset();
		const done = await runWorkflow('A river at dusk [duration:1]');
		expect(done).toMatchObject({ id: sandbox.requests().find((r) => r.path === '/v1/video/create')!.taskId, status: 'completed' });
	});

	test('Uninstall removes the package, its files and its nodes', async () => {
		await n8n.rest('POST', `/rest/workflows/${workflowId}/deactivate`);
		await n8n.rest('DELETE', `/rest/community-packages?name=${encodeURIComponent(PACKAGE)}`);
		expect(await n8n.rest('GET', '/rest/community-packages')).toEqual([]);
		expect(existsSync(installedDir())).toBe(false);
		// n8n 2.x also takes it out of ~/.n8n/nodes/package.json; n8n 1.x deletes the folder and the record only.
		if (MAJOR >= 2) expect(readJson(join(nodesDir, 'package.json')).dependencies).toEqual({});
		expect(await packageTypes()).toEqual([]);
	});

	test('nothing left 127.0.0.1: n8n asked no other registry, and what else it tried was refused', () => {
		const attempts = guard.attempts();
		expect(attempts.filter((host) => /npmjs|npm\.org|yarnpkg/.test(host))).toEqual([]);
		// The guard is in n8n's path: the package-status check before the install went to it (and was refused).
		expect(attempts).toContain('api.n8n.io:443');
	});
});
