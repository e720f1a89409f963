// Building blocks of the real-n8n tests: workflow JSON the way the editor saves it, and one n8n per test file with
// the packed package installed and a sandbox credential imported.
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { N8nEnv, N8nServer } from './lib';
import { createN8nEnv, packAndInstall, packageBuildState, runtimeInstalled, startN8n } from './lib';
import type { Sandbox } from '../inprocess/harness/sandbox';
import { startSandbox } from '../inprocess/harness/sandbox';

export const PACKAGE = 'n8n-nodes-apertis-video';
export const SANDBOX_CREDENTIAL = 'sandboxCred0001';

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
}

/** A node as a saved workflow holds it; the package's nodes get the Apertis credential. */
export function node(name: string, type: string, index: number, parameters: Record<string, unknown>, options: { typeVersion?: number; credentialId?: string } = {}): WorkflowNode {
	const fullType = type.includes('.') ? type : `${PACKAGE}.${type}`;
	const credentialId = options.credentialId ?? (fullType.startsWith(PACKAGE) ? SANDBOX_CREDENTIAL : undefined);
	return {
		id: `node-${index}`,
		name,
		type: fullType,
		typeVersion: options.typeVersion ?? 1,
		position: [index * 220, 0],
		parameters,
		...(credentialId ? { credentials: { apertisApi: { id: credentialId, name: credentialId } } } : {}),
	};
}

/** Connections output 0 → next node, in order. */
export function chain(names: string[]): Record<string, unknown> {
	return Object.fromEntries(names.slice(0, -1).map((name, i) => [name, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));
}

export function assertReady(): void {
	if (!runtimeInstalled()) throw new Error('The pinned n8n runtime is missing. Run: bash scripts/install-n8n-runtime.sh');
	if (!packageBuildState().built) throw new Error('The package is not built. Run: npm run build');
}

/** A sandbox, and an n8n user folder with the packed package installed and the sandbox credential imported. */
export interface N8nWithSandbox {
	sandbox: Sandbox;
	env: N8nEnv;
	/** The only folder Read/Write Files from Disk may use in this n8n. */
	filesDir: string;
	/** Stops the sandbox and removes the user folder and the files folder. */
	cleanup(): Promise<void>;
}

export async function n8nWithSandbox(options: { sandbox?: Record<string, unknown>; env?: Record<string, string> } = {}): Promise<N8nWithSandbox> {
	const ready = await n8nWithSandboxes({ [SANDBOX_CREDENTIAL]: options.sandbox ?? {} }, { env: options.env });
	return { ...ready, sandbox: ready.sandboxes[SANDBOX_CREDENTIAL] };
}

/**
 * Several sandboxes (a variant, a quota, a latency each) and one n8n user folder: each sandbox gets a credential whose
 * id is its key, so one `n8n execute-batch` can run every workflow against the sandbox it needs.
 */
export async function n8nWithSandboxes(
	configs: Record<string, Record<string, unknown>>,
	options: { env?: Record<string, string> } = {},
): Promise<Omit<N8nWithSandbox, 'sandbox'> & { sandboxes: Record<string, Sandbox> }> {
	assertReady();
	const sandboxes: Record<string, Sandbox> = {};
	for (const [id, config] of Object.entries(configs)) sandboxes[id] = await startSandbox(config);
	// Read/Write Files from Disk may touch only this folder.
	const filesDir = mkdtempSync(join(tmpdir(), 'apertis-e2e-files-'));
	const env = await createN8nEnv({ env: { N8N_RESTRICT_FILE_ACCESS_TO: filesDir, ...options.env } });
	await packAndInstall(env.userFolder);
	await env.importCredentials(
		Object.entries(sandboxes).map(([id, sandbox]) => ({ id, name: id, type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } })),
	);
	return {
		sandboxes,
		env,
		filesDir,
		cleanup: async () => {
			await env.cleanup();
			for (const sandbox of Object.values(sandboxes)) await sandbox.close();
			rmSync(filesDir, { recursive: true, force: true });
		},
	};
}

export interface RunningN8nWithSandbox {
	sandbox: Sandbox;
	n8n: N8nServer;
	/** The Apertis sandbox credential created in this n8n, as a node's `credentials` entry. */
	apertis: Record<string, { id: string; name: string }>;
	/** Stops n8n and the sandbox, removes the user folder. */
	cleanup(): Promise<void>;
}

/** A sandbox and a running `n8n start` with the packed package installed and an Apertis credential for the sandbox. */
export async function runningN8nWithSandbox(): Promise<RunningN8nWithSandbox> {
	assertReady();
	const sandbox = await startSandbox();
	const env = await createN8nEnv({ keepUserFolder: false });
	await packAndInstall(env.userFolder);
	const n8n = await startN8n({ userFolder: env.userFolder });
	const credential = await n8n.createCredential({ name: 'Apertis sandbox', type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } });
	return {
		sandbox,
		n8n,
		apertis: { apertisApi: { id: credential.id, name: 'Apertis sandbox' } },
		cleanup: async () => {
			await n8n.stop();
			await env.cleanup();
			await sandbox.close();
		},
	};
}

/** Polls `condition` every 100 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await condition()) return;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`Timed out waiting for ${what}`);
}
