// @ts-check
'use strict';
/**
 * `n8n start` of the pinned real n8n, for tests that need the server (REST API, editor UI).
 *
 * API
 * ---
 *   const n8n = await startN8n({ userFolder?, port?, env?, encryptionKey?, timeoutMs?, echo? });
 *     userFolder   N8N_USER_FOLDER; default: a fresh temp dir (removed by stop()). Install the community package
 *                  into it BEFORE starting: `await packAndInstall(userFolder)` (n8n loads packages at start-up).
 *     port         N8N_PORT; default: a free port. The task-runner broker gets another free port.
 *     env          extra environment variables for the n8n process (value undefined removes one).
 *     timeoutMs    how long to wait for readiness (default 180 s).
 *     echo         copy n8n's output to stderr as it comes (debugging).
 *   → {
 *       baseUrl: 'http://127.0.0.1:<port>',        // the editor is served at baseUrl + '/'
 *       cookie: { name: 'n8n-auth', value },       // the owner's session (playwright: context.addCookies)
 *       cookieHeader: 'n8n-auth=<value>',
 *       owner: { email, password, firstName, lastName, id },
 *       userFolder, port, encryptionKey,
 *       rest(method, path, body?) → Promise<any>   // `/rest/...` with the cookie; returns the JSON's `data`
 *                                                  // (or the whole body when there is none); throws on HTTP >= 400
 *                                                  // with status and body in the message (error.status is set)
 *       request(method, path, body?) → Promise<{ status, headers, body, text }>   // same, never throws on status
 *       nodeTypes() → Promise<any[]>               // GET /types/nodes.json (every node type description)
 *       credentialTypes() → Promise<any[]>         // GET /types/credentials.json
 *       createCredential({ name, type, data }) → Promise<{ id, name, type, ... }>  // POST /rest/credentials
 *       testCredential({ id, name, type, data }) → Promise<{ status: 'OK' | 'Error', message }>
 *                                                  // POST /rest/credentials/test: the editor's "Test" button
 *       createWorkflow({ name, nodes, connections, settings? }) → Promise<{ id, ... }>  // POST /rest/workflows
 *       getWorkflow(id) → Promise<any>              // GET /rest/workflows/:id
 *       activateWorkflow(id, servedPath) → Promise<string>   // POST /rest/workflows/:id/activate (its current
 *                                                  // version), then waits until GET servedPath answers 200: webhooks
 *                                                  // and forms register in the background. Resolves the served URL.
 *       output() → string                           // n8n's stdout+stderr so far (attach it to failures)
 *       stop() → Promise<void>                      // SIGTERM, SIGKILL after 10 s, whole process group; removes
 *                                                   // the temp user folder if startN8n created it. Idempotent.
 *     }
 *
 * Notes
 * - Bound to 127.0.0.1 only (N8N_LISTEN_ADDRESS, N8N_HOST); N8N_SECURE_COOKIE=false (plain http).
 * - Readiness: GET /healthz and /healthz/readiness answer 200, then POST /rest/owner/setup creates the owner and its
 *   Set-Cookie is the session. The owner is set up WITHOUT a `browser-id` header, so the session is not bound to a
 *   browser id: the same cookie works from Node (rest()) and from a browser whatever browser id the editor sends.
 * - If start-up fails, the process is killed and the error carries the tail of n8n's output.
 * - Children still alive when the test process exits are killed (see process.js).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { startProcess, freePorts, tail } = require('./process');
const { NODE_BIN, N8N_BIN, assertRuntimeInstalled } = require('./paths');
const { n8nProcessEnv, removeN8nTempLeftovers } = require('./n8nCli');

const AUTH_COOKIE = 'n8n-auth';

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {string} url
 * @param {RequestInit} [init]
 * @param {number} [timeoutMs]
 */
async function fetchWithTimeout(url, init = {}, timeoutMs = 30_000) {
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(), timeoutMs);
	try {
		return await fetch(url, { ...init, signal: controller.signal });
	} finally {
		clearTimeout(timer);
	}
}

/**
 * n8n's REST API with a session cookie. request() answers { status, headers, body, text } whatever the status;
 * rest() throws on a status of 400 or more and unwraps n8n's `data`.
 * @param {{ baseUrl: () => string, cookieHeader: () => string, timeoutMs: number }} options getters: a stack learns
 *   its base URL and logs in after it made the client
 */
function restClient({ baseUrl, cookieHeader, timeoutMs }) {
	/**
	 * @param {string} method
	 * @param {string} urlPath
	 * @param {unknown} [body]
	 */
	async function request(method, urlPath, body) {
		/** @type {Record<string, string>} */
		const headers = { cookie: cookieHeader(), accept: 'application/json' };
		if (body !== undefined) headers['content-type'] = 'application/json';
		const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
		// A kept-alive socket that n8n closed just as it was reused fails with "other side closed": a read is
		// safe to send again.
		let response;
		for (let attempt = 1; !response; attempt++) {
			try {
				response = await fetchWithTimeout(baseUrl() + urlPath, init, timeoutMs);
			} catch (error) {
				if (method !== 'GET' || attempt >= 3) throw error;
				await sleep(250);
			}
		}
		const text = await response.text();
		/** @type {any} */
		let parsed;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			parsed = undefined;
		}
		return { status: response.status, headers: response.headers, body: parsed, text };
	}

	/**
	 * @param {string} method
	 * @param {string} urlPath
	 * @param {unknown} [body]
	 */
	async function rest(method, urlPath, body) {
		const response = await request(method, urlPath, body);
		if (response.status >= 400) {
			const error = new Error(`${method} ${urlPath} answered ${response.status}: ${response.text.slice(0, 2000)}`);
			Object.assign(error, { status: response.status, body: response.body });
			throw error;
		}
		return response.body && typeof response.body === 'object' && 'data' in response.body
			? response.body.data
			: response.body;
	}

	return { request, rest };
}

/**
 * @param {{ userFolder?: string, port?: number, env?: Record<string, string | undefined>, encryptionKey?: string,
 *   timeoutMs?: number, echo?: boolean }} [options]
 */
async function startN8n(options = {}) {
	assertRuntimeInstalled();
	const ownsFolder = !options.userFolder;
	const userFolder = options.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'apertis-n8n-server-'));
	fs.mkdirSync(userFolder, { recursive: true });
	const [freeA, freeB] = await freePorts(2);
	const port = options.port ?? freeA;
	const brokerPort = port === freeB ? freeA : freeB;
	const encryptionKey = options.encryptionKey ?? crypto.randomBytes(24).toString('hex');
	const env = n8nProcessEnv({ userFolder, encryptionKey, port, brokerPort, extra: options.env });
	const baseUrl = `http://127.0.0.1:${port}`;

	const proc = startProcess(NODE_BIN, [N8N_BIN, 'start'], { cwd: userFolder, env, echo: options.echo });
	let stopped = false;
	async function stop() {
		if (stopped) return;
		stopped = true;
		await proc.stop(10_000);
		removeN8nTempLeftovers();
		if (ownsFolder) fs.rmSync(userFolder, { recursive: true, force: true, maxRetries: 3 });
	}

	/** @param {string} message */
	const startupError = (message) =>
		new Error(`n8n start (${baseUrl}): ${message}\n--- n8n output (tail)\n${tail(proc.output(), 80)}`);

	try {
		const deadline = Date.now() + (options.timeoutMs ?? 180_000);
		let exited = false;
		void proc.exited.then(() => {
			exited = true;
		});
		// n8n 1.x answers /healthz/readiness before its REST API is mounted: /rest/settings answering JSON says it is.
		for (const probe of ['/healthz', '/healthz/readiness', '/rest/settings']) {
			for (;;) {
				if (exited) throw startupError('the process exited before it was ready');
				if (Date.now() > deadline) throw startupError(`not ready: ${probe} did not answer 200 in time`);
				try {
					const response = await fetchWithTimeout(baseUrl + probe, {}, 5_000);
					if (response.status === 200 && (await response.text()).startsWith('{')) break;
				} catch {
					// not listening yet
				}
				await sleep(250);
			}
		}

		const owner = {
			email: 'owner@example.com',
			firstName: 'Test',
			lastName: 'Owner',
			password: `Pw-${crypto.randomBytes(9).toString('base64url')}-9a`,
			id: '',
		};
		const setup = await fetchWithTimeout(`${baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				email: owner.email,
				firstName: owner.firstName,
				lastName: owner.lastName,
				password: owner.password,
			}),
		});
		const setupText = await setup.text();
		if (setup.status !== 200) throw startupError(`POST /rest/owner/setup answered ${setup.status}: ${setupText}`);
		const setCookies = typeof setup.headers.getSetCookie === 'function' ? setup.headers.getSetCookie() : [];
		const authCookie = setCookies
			.map((header) => header.split(';')[0])
			.find((pair) => pair.startsWith(`${AUTH_COOKIE}=`));
		if (!authCookie) throw startupError(`POST /rest/owner/setup set no ${AUTH_COOKIE} cookie`);
		const cookie = { name: AUTH_COOKIE, value: authCookie.slice(AUTH_COOKIE.length + 1) };
		const cookieHeader = `${cookie.name}=${cookie.value}`;
		try {
			owner.id = JSON.parse(setupText).data?.id ?? '';
		} catch {
			// keep ''
		}

		const { request, rest } = restClient({ baseUrl: () => baseUrl, cookieHeader: () => cookieHeader, timeoutMs: 120_000 });

		return {
			baseUrl,
			port,
			userFolder,
			encryptionKey,
			cookie,
			cookieHeader,
			owner,
			request,
			rest,
			output: () => proc.output(),
			/** @returns {Promise<any[]>} */
			nodeTypes: async () => await rest('GET', '/types/nodes.json'),
			/** @returns {Promise<any[]>} */
			credentialTypes: async () => await rest('GET', '/types/credentials.json'),
			/** @param {{ name: string, type: string, data: Record<string, unknown> }} credential */
			createCredential: async (credential) => await rest('POST', '/rest/credentials', credential),
			/** @param {{ id: string, name?: string, type: string, data?: Record<string, unknown> }} credential */
			testCredential: async (credential) =>
				await rest('POST', '/rest/credentials/test', { credentials: { name: '', ...credential } }),
			/** @param {{ name: string, nodes: any[], connections: Record<string, any>, settings?: Record<string, unknown> }} workflow */
			createWorkflow: async (workflow) =>
				await rest('POST', '/rest/workflows', {
					active: false,
					settings: { executionOrder: 'v1' },
					...workflow,
				}),
			/** @param {string} id */
			getWorkflow: async (id) => await rest('GET', `/rest/workflows/${encodeURIComponent(id)}`),
			/** @param {string} id @param {string} servedPath */
			activateWorkflow: async (id, servedPath) => {
				const { versionId } = await rest('GET', `/rest/workflows/${encodeURIComponent(id)}`);
				await rest('POST', `/rest/workflows/${encodeURIComponent(id)}/activate`, { versionId });
				const url = `${baseUrl}${servedPath}`;
				for (let attempt = 0; attempt < 300; attempt++) {
					if ((await fetch(url)).status === 200) return url;
					await sleep(100);
				}
				throw new Error(`${url} was never served after activating workflow ${id}\n--- n8n output (tail)\n${tail(proc.output(), 40)}`);
			},
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

module.exports = { startN8n, fetchWithTimeout, restClient, AUTH_COOKIE };
