// A private npm registry (verdaccio 6.8.0 from test/e2e/registry, installed by scripts/install-registry.sh) and an
// egress guard, for installing the package the way a user does: from a registry, through n8n's Community Nodes API.
import { createServer } from 'http';
import type { AddressInfo } from 'net';
import { existsSync, mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';

import { REPO_ROOT, freePort, runChecked, startProcess } from './lib';

const REGISTRY_MODULES = join(REPO_ROOT, 'test', 'e2e', 'registry', 'node_modules');
const VERDACCIO_BIN = join(REGISTRY_MODULES, 'verdaccio', 'bin', 'verdaccio');

const tail = (text: string, lines: number) => text.split('\n').slice(-lines).join('\n');

export function assertRegistryInstalled(): void {
	if (!existsSync(join(REGISTRY_MODULES, '.apertis-registry-installed')) || !existsSync(VERDACCIO_BIN)) {
		throw new Error('The private npm registry (verdaccio) is not installed. Run: bash scripts/install-registry.sh');
	}
}

/** The process environment without the npm_* settings of an `npm run` that may have started jest. */
export function envWithoutNpmSettings(): NodeJS.ProcessEnv {
	return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

export interface PrivateRegistry {
	/** http://127.0.0.1:<port> (no trailing slash). */
	url: string;
	/** `npm publish` of a tarball or a package folder, as the registry's one user (a token made through its API). */
	publish(tarballOrFolder: string): Promise<void>;
	/** The versions the registry holds of a package, from its packument. */
	versions(name: string): Promise<string[]>;
	output(): string;
	stop(): Promise<void>;
}

/**
 * Starts verdaccio on 127.0.0.1 with everything in `folder` (config, storage, users, npm's user config and cache). It
 * has no uplink: it serves only what is published to it, and never asks another registry. One user is created
 * through the registry's own API (`PUT /-/user/org.couchdb.user:<name>`, what `npm adduser` calls); its token
 * publishes.
 */
export async function startPrivateRegistry(folder: string): Promise<PrivateRegistry> {
	assertRegistryInstalled();
	mkdirSync(folder, { recursive: true });
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const config = join(folder, 'config.yaml');
	writeFileSync(
		config,
		[
			`storage: ${JSON.stringify(join(folder, 'storage'))}`,
			'auth:',
			'  htpasswd:',
			`    file: ${JSON.stringify(join(folder, 'htpasswd'))}`,
			'    max_users: 1',
			'packages:',
			"  '**':",
			'    access: $all',
			'    publish: $authenticated',
			'    unpublish: $authenticated',
			'publish:',
			'  allow_offline: true',
			'web:',
			'  enable: false',
			'log: { type: stdout, format: pretty, level: warn }',
			'',
		].join('\n'),
	);
	const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: folder, TMPDIR: folder, NODE_ENV: 'production', LANG: 'C.UTF-8' };
	const proc = startProcess(process.execPath, [VERDACCIO_BIN, '--config', config, '--listen', `127.0.0.1:${port}`], { cwd: folder, env });
	const fail = (message: string) => new Error(`verdaccio (${url}): ${message}\n--- output (tail)\n${tail(proc.output(), 40)}`);
	try {
		const deadline = Date.now() + 60_000;
		for (;;) {
			if (proc.child.exitCode !== null) throw fail('exited before it was ready');
			if (Date.now() > deadline) throw fail('/-/ping did not answer 200 within 60 s');
			const ok = await fetch(`${url}/-/ping`).then((r) => r.ok, () => false);
			if (ok) break;
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
		const user = 'apertis-release-test';
		const created = await fetch(`${url}/-/user/org.couchdb.user:${user}`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ _id: `org.couchdb.user:${user}`, name: user, password: `pw-${Date.now()}-${Math.random().toString(36).slice(2)}`, type: 'user', roles: [] }),
		});
		const { token } = (await created.json()) as { token?: string };
		if (created.status !== 201 || !token) throw fail(`creating the user answered ${created.status} without a token`);
		// npm's own config for publishing, in the folder: the registry and the token, nothing from ~/.npmrc.
		const npmrc = join(folder, 'npmrc');
		writeFileSync(npmrc, `registry=${url}/\n//127.0.0.1:${port}/:_authToken=${token}\n`);
		const npmEnv = { ...envWithoutNpmSettings(), npm_config_userconfig: npmrc, npm_config_cache: join(folder, 'npm-cache'), npm_config_update_notifier: 'false' };

		return {
			url,
			publish: async (tarballOrFolder) => {
				await runChecked('npm', ['publish', tarballOrFolder, `--registry=${url}/`, '--ignore-scripts', '--provenance=false', '--access=public', '--loglevel=warn'], {
					cwd: folder,
					env: npmEnv,
					timeoutMs: 2 * 60_000,
				});
			},
			versions: async (name) => {
				const response = await fetch(`${url}/${encodeURIComponent(name)}`);
				if (response.status === 404) return [];
				return Object.keys(((await response.json()) as { versions: Record<string, unknown> }).versions);
			},
			output: () => proc.output(),
			stop: async () => {
				await proc.stop(5_000);
			},
		};
	} catch (error) {
		await proc.stop(5_000);
		throw error;
	}
}

export interface EgressGuard {
	/** http://127.0.0.1:<port>: give it to a process as HTTP_PROXY / HTTPS_PROXY (with NO_PROXY=127.0.0.1,localhost). */
	url: string;
	/** Every host:port a process tried to reach through it, in order; each was refused (403). */
	attempts(): string[];
	stop(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 that forwards nothing: every CONNECT (https) and every absolute-URL request (http, or
 * https from a client that does not tunnel) is recorded and answered 403. With it as HTTP(S)_PROXY and NO_PROXY set to
 * the loopback names, a process (n8n, and the npm it runs) reaches 127.0.0.1 only, and the test sees what else it
 * tried.
 */
export async function startEgressGuard(): Promise<EgressGuard> {
	const attempts: string[] = [];
	const server = createServer((req, res) => {
		let host = req.headers.host ?? '';
		try {
			const target = new URL(req.url ?? '');
			host = `${target.hostname}:${target.port || (target.protocol === 'https:' ? 443 : 80)}`;
		} catch {
			// a relative URL: keep the Host header
		}
		attempts.push(host);
		res.writeHead(403, { 'content-type': 'text/plain', connection: 'close' }).end('egress refused by the test\n');
	});
	server.on('connect', (req, socket) => {
		attempts.push(req.url ?? '');
		socket.on('error', () => undefined);
		socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		attempts: () => [...attempts],
		stop: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
