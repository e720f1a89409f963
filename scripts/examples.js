// @ts-check
// The example workflows (examples/*.json): prepared for a run against the sandbox, run in a real n8n (the CLI for the
// manually triggered ones, `n8n start` + an HTTP form post for the form, a chat message for the chat ones), and their
// runs summarized. An AI agent's chat model is the sandbox's scripted model (CHAT_INPUT names its turns).
// Used by the demo (scripts/demo.js), the editor (scripts/editor.js) and the example tests (test/e2e/examples.test.ts).
// Types: examples.d.ts next to this file.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const { createN8nEnv, packAndInstall, startN8n, RUNTIME_MODULES } = require('../test/e2e/lib');

const EXAMPLES_DIR = path.resolve(__dirname, '..', 'examples');
const FIXTURES_DIR = path.resolve(__dirname, '..', 'test', 'fixtures');
const PACKAGE = 'n8n-nodes-apertis-video';
const FORM_TRIGGER = 'n8n-nodes-base.formTrigger';
const CHAT_TRIGGER = '@n8n/n8n-nodes-langchain.chatTrigger';
const OPENAI_CHAT_MODEL = '@n8n/n8n-nodes-langchain.lmChatOpenAi';
const CREDENTIAL_NAME = 'Apertis sandbox';
/** The OpenAI credential of the chat examples' chat model: the sandbox's /v1, whose scripted model stands in for an LLM. */
const OPENAI_CREDENTIAL = { id: 'openAiSandbox01', name: 'Sandbox chat model' };
/** Sandbox timing of the demo and the example tests: every task takes 2–4 s. */
const SANDBOX_TIMING = { durationMs: 3000, durationSpread: 0.3 };
/** What the demo and the tests post to the form example. */
const FORM_INPUT = { image: 'lake.png', mimeType: 'image/png', prompt: 'The lake ripples in the wind as clouds drift by' };
/** What the demo and the tests say to each chat example; for an agent, the turns of the sandbox's scripted model. */
const CHAT_INPUT = {
	'sora-chat-progress.json': { message: 'A hot air balloon drifting over snowy mountains at sunrise' },
	'agent-video.json': {
		message: 'Make a short video of a paper boat sailing down a mountain river at golden hour',
		script: [
			{ toolCalls: [{ tool: 'Video Create', arguments: { model: 'veo3', prompt: 'A paper boat sailing down a mountain river at golden hour, gentle camera pan' } }] },
			{ toolCalls: [{ tool: 'Wait Until Done', arguments: { taskId: '{{result.id}}' } }] },
			{ text: 'Your video is ready: {{result.video_url}}' },
		],
	},
};
/** The scripted chat model of the sandbox (test/sandbox/scriptedChat.js). */
const SCRIPTED_MODEL = 'sandbox-agent';

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The example files, sorted. */
function exampleFiles() {
	return fs.readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json')).sort();
}

/**
 * Reads one example and points it at this run: every Apertis node gets the given credential, and the "Settings"
 * node's `folder` (where the example reads its input files and writes its outputs) becomes a fresh folder under
 * outputRoot holding a copy of examples/data.
 * @param {string} file a file name in examples/ or a path
 * An OpenAI Chat Model (the chat examples' agent) gets openAiCredential and the sandbox's scripted model.
 * @param {{ credentialId: string, credentialName?: string, outputRoot: string, openAiCredential?: { id: string, name: string } }} options
 */
function prepareExample(file, { credentialId, credentialName = CREDENTIAL_NAME, outputRoot, openAiCredential = OPENAI_CREDENTIAL }) {
	const source = fs.existsSync(file) ? path.resolve(file) : path.resolve(EXAMPLES_DIR, file);
	const workflow = JSON.parse(fs.readFileSync(source, 'utf8'));
	const folder = path.join(outputRoot, workflow.id);
	fs.mkdirSync(folder, { recursive: true });
	fs.cpSync(path.join(EXAMPLES_DIR, 'data'), folder, { recursive: true });
	for (const node of workflow.nodes) {
		if (node.type.startsWith(`${PACKAGE}.`)) node.credentials = { apertisApi: { id: credentialId, name: credentialName } };
		if (node.type === OPENAI_CHAT_MODEL) {
			node.credentials = { openAiApi: openAiCredential };
			node.parameters.model = { __rl: true, mode: 'id', value: SCRIPTED_MODEL };
		}
		if (node.name === 'Settings') {
			const folderField = node.parameters.assignments.assignments.find((/** @type {any} */ a) => a.name === 'folder');
			folderField.value = folder;
		}
	}
	return { file: path.basename(source), workflow, folder };
}

const MANUAL_TRIGGER = 'n8n-nodes-base.manualTrigger';
const DATA_TABLE = 'n8n-nodes-base.dataTable';

/**
 * For a run by a server (queue mode, or an example that `n8n execute` cannot run): the manual trigger becomes a
 * production webhook (POST, answers at once) with the same node name, so the rest of the workflow is unchanged.
 * @param {any} workflow
 * @returns {string | undefined} the webhook's path, when there was a manual trigger
 */
function manualToWebhook(workflow) {
	const trigger = workflow.nodes.find((/** @type {any} */ n) => n.type === MANUAL_TRIGGER);
	if (!trigger) return undefined;
	const webhookPath = `run-${workflow.id}`;
	Object.assign(trigger, {
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
		webhookId: crypto.randomUUID(),
	});
	return webhookPath;
}

/**
 * Whether an example needs a running n8n: `n8n execute` (the CLI) runs a workflow without n8n's modules, and Data
 * Tables are one ("Attempted to use Data table node but the module is disabled").
 * @param {any} workflow
 */
const needsServer = (workflow) => workflow.nodes.some((/** @type {any} */ n) => n.type === DATA_TABLE);

/** @param {any} workflow */
const formTriggerOf = (workflow) => workflow.nodes.find((/** @type {any} */ n) => n.type === FORM_TRIGGER);
/** @param {any} workflow */
const chatTriggerOf = (workflow) => workflow.nodes.find((/** @type {any} */ n) => n.type === CHAT_TRIGGER);
/** Whether an example file (in examples/) starts from a Chat Trigger. @param {string} file */
const isChatExample = (file) => Boolean(chatTriggerOf(JSON.parse(fs.readFileSync(path.resolve(EXAMPLES_DIR, file), 'utf8'))));

/** A node's output items (a tool's: what it returned to the agent). @param {any} run @param {string} nodeName @param {number} [output] @returns {any[]} */
function itemsOf(run, nodeName, output = 0) {
	const data = run.runData?.[nodeName]?.[0]?.data;
	return data?.main?.[output] ?? data?.ai_tool?.[output] ?? [];
}

/**
 * items: what the first Apertis node put out (one per input); completed/failed: how the last Apertis step ended;
 * videos: the .mp4 files written; files: every other file written.
 * @param {any} workflow @param {any} run
 */
function summarizeRun(workflow, run) {
	const apertisNodes = workflow.nodes.filter((/** @type {any} */ n) => n.type.startsWith(`${PACKAGE}.`)).map((/** @type {any} */ n) => n.name);
	const first = apertisNodes[0];
	const items = first ? itemsOf(run, first).length : 0;
	const waitNode = workflow.nodes.find((/** @type {any} */ n) => n.type === `${PACKAGE}.apertisWaitUntilDone`);
	let completed = 0;
	let failed = 0;
	if (waitNode) {
		completed = itemsOf(run, waitNode.name, 0).length;
		failed = itemsOf(run, waitNode.name, 1).length;
	} else if (apertisNodes.length) {
		const last = itemsOf(run, apertisNodes[apertisNodes.length - 1]);
		completed = last.filter((i) => i.json.status === 'completed').length;
		failed = last.length - completed;
	}
	const writers = workflow.nodes.filter((/** @type {any} */ n) => n.type === 'n8n-nodes-base.readWriteFile' && n.parameters.operation === 'write');
	/** @type {string[]} */
	const written = writers.flatMap((/** @type {any} */ n) => itemsOf(run, n.name).map((i) => i.json.fileName)).filter((f) => typeof f === 'string');
	const videos = written.filter((f) => f.endsWith('.mp4'));
	return { items, completed, failed, videos, videosDir: videos.length ? path.dirname(videos[0]) : '', files: written.filter((f) => !f.endsWith('.mp4')) };
}

/**
 * A CSV file as rows of strings keyed by the header row (RFC 4180: quoted fields, "" inside quotes, CRLF or LF;
 * a leading byte order mark, which n8n's Convert to File writes, is skipped).
 * @param {string} text @returns {Record<string, string>[]}
 */
function parseCsv(text) {
	/** @type {string[][]} */
	const records = [];
	/** @type {string[]} */
	let record = [];
	let field = '';
	let quoted = false;
	for (let i = text.startsWith('\uFEFF') ? 1 : 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
			else if (c === '"') quoted = false;
			else field += c;
		} else if (c === '"') quoted = true;
		else if (c === ',') record.push(field), (field = '');
		else if (c === '\n' || c === '\r') {
			if (c === '\r' && text[i + 1] === '\n') i++;
			record.push(field), records.push(record), (record = []), (field = '');
		} else field += c;
	}
	if (field !== '' || record.length) record.push(field), records.push(record);
	const [header = [], ...rows] = records.filter((r) => r.length > 1 || r[0] !== '');
	return rows.map((r) => Object.fromEntries(header.map((name, i) => [name, r[i] ?? ''])));
}

/**
 * The form example's round trip, the way the browser does it: post the form (multipart, fields `field-0`, `field-1`…
 * in field order), follow `formWaitingUrl` until the completion page is up, read it, post back to close the run
 * (the page's own script does that), and return the page with the finished execution.
 * @param {import('../test/e2e/lib').N8nServer} n8n
 * @param {any} workflow the workflow as created in this n8n (its id) with its Form Trigger's webhookId
 * @param {{ image?: string, mimeType?: string, prompt?: string, timeoutMs?: number }} [input]
 */
async function submitForm(n8n, workflow, input = {}) {
	const { image, mimeType, prompt } = { ...FORM_INPUT, ...input };
	const deadline = Date.now() + (input.timeoutMs ?? 5 * 60_000);
	const formUrl = `${n8n.baseUrl}/form/${formTriggerOf(workflow).webhookId}`;
	const body = new FormData();
	body.append('field-0', new Blob([fs.readFileSync(path.join(FIXTURES_DIR, image))], { type: mimeType }), image);
	body.append('field-1', prompt);
	const posted = await fetch(formUrl, { method: 'POST', body });
	const postedText = await posted.text();
	if (posted.status !== 200) throw new Error(`POST ${formUrl} answered ${posted.status}: ${postedText.slice(0, 500)}`);
	const waitingUrl = new URL(JSON.parse(postedText).formWaitingUrl);
	const executionId = waitingUrl.pathname.split('/').pop() ?? '';
	const statusUrl = new URL(waitingUrl);
	statusUrl.pathname += '/n8n-execution-status';
	let status = '';
	while (!['form-waiting', 'success', 'error', 'crashed', 'canceled'].includes(status)) {
		if (Date.now() > deadline) throw new Error(`The form's execution ${executionId} did not reach its completion page (status: ${status})`);
		await sleep(250);
		status = (await (await fetch(statusUrl)).text()).trim();
	}
	const page = await (await fetch(waitingUrl)).text();
	if (status === 'form-waiting') await fetch(waitingUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
	return { page, executionId, status, run: await finishedExecution(n8n, executionId, deadline) };
}

/**
 * An execution of a running n8n, once finished, in the shape `env.execute()` gives (ok, status, runData, error).
 * @param {import('../test/e2e/lib').N8nServer} n8n @param {string} executionId @param {number} deadline
 */
async function finishedExecution(n8n, executionId, deadline) {
	const { parse } = require(path.join(RUNTIME_MODULES, 'flatted'));
	for (;;) {
		const execution = await n8n.rest('GET', `/rest/executions/${executionId}`);
		if (execution?.finished || ['success', 'error', 'crashed', 'canceled'].includes(execution?.status)) {
			const data = typeof execution.data === 'string' ? parse(execution.data) : execution.data;
			const resultData = data?.resultData ?? {};
			return { ok: execution.status === 'success', status: execution.status, runData: resultData.runData ?? {}, error: resultData.error };
		}
		if (Date.now() > deadline) throw new Error(`Execution ${executionId} did not finish (status: ${execution?.status})`);
		await sleep(250);
	}
}

/** Activates a workflow of a running n8n and waits until its form is served (webhooks register in the background). */
async function activateForm(/** @type {import('../test/e2e/lib').N8nServer} */ n8n, /** @type {any} */ workflow) {
	return await n8n.activateWorkflow(workflow.id, `/form/${formTriggerOf(workflow).webhookId}`);
}

/**
 * Runs a workflow whose manual trigger became a webhook (manualToWebhook): activates it once (waiting until the
 * webhook is registered: a GET to a registered POST webhook answers something other than "not registered"), posts
 * to it and returns the finished execution.
 * @param {import('../test/e2e/lib').N8nServer} n8n @param {any} workflow @param {string} webhookPath
 */
async function runByWebhook(n8n, workflow, webhookPath, timeoutMs = 10 * 60_000) {
	const deadline = Date.now() + timeoutMs;
	const url = `${n8n.baseUrl}/webhook/${webhookPath}`;
	if (!(await n8n.getWorkflow(workflow.id)).active) {
		const { versionId } = await n8n.getWorkflow(workflow.id);
		await n8n.rest('POST', `/rest/workflows/${workflow.id}/activate`, { versionId });
		for (let attempt = 0; ; attempt++) {
			const probe = await fetch(url);
			if (probe.status !== 404 || !/The requested webhook .* is not registered/.test(await probe.text())) break;
			if (attempt > 300) throw new Error(`The webhook ${url} was never registered`);
			await sleep(100);
		}
	}
	const executionsOf = async () =>
		((await n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: workflow.id }))}`)).results ?? []).map((/** @type {any} */ e) => String(e.id));
	const before = new Set(await executionsOf());
	const posted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
	if (posted.status !== 200) throw new Error(`POST ${url} answered ${posted.status}: ${(await posted.text()).slice(0, 500)}`);
	/** @type {string | undefined} */
	let executionId;
	while (!executionId) {
		executionId = (await executionsOf()).find((id) => !before.has(id));
		if (!executionId && Date.now() > deadline) throw new Error(`No execution of ${workflow.id} appeared after POST ${url}`);
		if (!executionId) await sleep(100);
	}
	return { executionId, run: await finishedExecution(n8n, executionId, deadline) };
}

/** Activates a chat example in a running n8n and waits until its chat webhook is registered; resolves the chat URL. */
async function activateChat(/** @type {import('../test/e2e/lib').N8nServer} */ n8n, /** @type {any} */ workflow) {
	const { versionId } = await n8n.getWorkflow(workflow.id);
	await n8n.rest('POST', `/rest/workflows/${workflow.id}/activate`, { versionId });
	const url = `${n8n.baseUrl}/webhook/${chatTriggerOf(workflow).webhookId}/chat`;
	for (let attempt = 0; attempt < 300; attempt++) {
		if ((await fetch(url)).status !== 404) return url;
		await sleep(100);
	}
	throw new Error(`The chat at ${url} was never served`);
}

/**
 * A chat example's round trip, the way n8n's chat window does it: the example's message (CHAT_INPUT) is posted to the
 * chat webhook; for an agent the sandbox's scripted model gets its turns first. The reply is the answer's `output`,
 * or for a streaming chat the streamed text (every `item` chunk, in order). Returns it with the finished execution.
 * @param {import('../test/e2e/lib').N8nServer} n8n
 * @param {any} workflow the workflow as created in this n8n (its id) with its Chat Trigger's webhookId
 * @param {{ url: string }} sandbox
 * @param {{ message: string, script?: unknown[] }} input
 */
async function sendChatMessage(n8n, workflow, sandbox, input, timeoutMs = 5 * 60_000) {
	const deadline = Date.now() + timeoutMs;
	if (input.script) {
		const configured = await fetch(`${sandbox.url}/__sandbox/config`, { method: 'POST', body: JSON.stringify({ chatScript: input.script }) });
		if (configured.status !== 200) throw new Error(`The sandbox refused the chat script: ${await configured.text()}`);
	}
	const url = `${n8n.baseUrl}/webhook/${chatTriggerOf(workflow).webhookId}/chat`;
	const before = new Set(((await n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: workflow.id }))}`)).results ?? []).map((/** @type {any} */ e) => String(e.id)));
	const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'sendMessage', sessionId: `demo-${Date.now()}`, chatInput: input.message }) });
	const text = await answer.text();
	if (answer.status !== 200) throw new Error(`POST ${url} answered ${answer.status}: ${text.slice(0, 500)}`);
	const streaming = chatTriggerOf(workflow).parameters.options?.responseMode === 'streaming';
	const reply = streaming
		? text.split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line)).filter((chunk) => chunk.type === 'item').map((chunk) => chunk.content).join('')
		: String(JSON.parse(text).output ?? text);
	/** @type {string | undefined} */
	let executionId;
	while (!executionId) {
		const { results = [] } = await n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: workflow.id }))}`);
		executionId = results.map((/** @type {any} */ e) => String(e.id)).find((id) => !before.has(id));
		if (!executionId && Date.now() > deadline) throw new Error(`No execution of ${workflow.id} appeared after the chat message`);
		if (!executionId) await sleep(100);
	}
	return { reply, executionId, run: await finishedExecution(n8n, executionId, deadline) };
}

/**
 * Runs examples in a real n8n against a running sandbox: the packed package is installed into a fresh n8n user
 * folder, the sandbox credential imported, the manually triggered examples executed one by one with `n8n execute`,
 * then `n8n start` serves the Data Table examples (their manual trigger becomes a webhook: see needsServer), the form
 * examples, which get the fixture image posted, and the chat examples, which get their message (CHAT_INPUT; an
 * agent's chat model is the sandbox's scripted model).
 * A manually triggered example named in `runs` is executed that many times in a row on the same folder (a re-run
 * finds what the run before it wrote, e.g. the task ids written back to the sheet); `beforeRun` is awaited before
 * each execution (e.g. to set a sandbox fault for one of them). Every execution is a result, with its `runIndex`.
 * @param {{ sandbox: { url: string, apiKey: string }, outputRoot: string, files?: string[],
 *   runs?: Record<string, number>, beforeRun?: (example: any, runIndex: number) => unknown,
 *   onResult?: (result: any) => void, log?: (line: string) => void }} options
 */
async function runExamples({ sandbox, outputRoot, files = exampleFiles(), runs = {}, beforeRun = () => {}, onResult = () => {}, log = () => {} }) {
	const credentialId = 'apertisSandbox1';
	const prepared = files.map((file) => {
		const example = prepareExample(file, { credentialId, outputRoot });
		return { ...example, webhookPath: needsServer(example.workflow) ? manualToWebhook(example.workflow) : undefined };
	});
	const env = await createN8nEnv({ env: { N8N_RESTRICT_FILE_ACCESS_TO: outputRoot } });
	/** @type {any[]} */
	const results = [];
	/** @param {any} example @param {any} run @param {number} started @param {Record<string, unknown>} [extra] */
	const record = (example, run, started, extra = {}) => {
		const result = { ...example, run, ok: run.ok, seconds: (Date.now() - started) / 1000, summary: summarizeRun(example.workflow, run), ...extra };
		results.push(result);
		onResult(result);
	};
	/** @type {import('../test/e2e/lib').N8nServer | undefined} */
	let n8n;
	try {
		log(`n8n user folder: ${env.userFolder}`);
		await packAndInstall(env.userFolder);
		await env.importCredentials([
			{ id: credentialId, name: CREDENTIAL_NAME, type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } },
			{ ...OPENAI_CREDENTIAL, type: 'openAiApi', data: { apiKey: sandbox.apiKey, url: `${sandbox.url}/v1` } },
		]);
		await env.importWorkflows(prepared.map((example) => example.workflow));
		for (const example of prepared.filter((e) => !e.webhookPath && !formTriggerOf(e.workflow) && !chatTriggerOf(e.workflow))) {
			for (let runIndex = 0; runIndex < (runs[example.file] ?? 1); runIndex++) {
				log(`running ${example.file}${runIndex ? ` again (run ${runIndex + 1})` : ''} (n8n execute)`);
				await beforeRun(example, runIndex);
				const started = Date.now();
				record(example, await env.execute(example.workflow.id, { timeoutMs: 10 * 60_000 }), started, { runIndex });
			}
		}
		const forms = prepared.filter((e) => formTriggerOf(e.workflow));
		const chats = prepared.filter((e) => chatTriggerOf(e.workflow));
		const served = prepared.filter((e) => e.webhookPath);
		if (forms.length || chats.length || served.length) {
			log('starting n8n for the Data Table, form and chat examples (n8n start)');
			n8n = await startN8n({ userFolder: env.userFolder, encryptionKey: env.encryptionKey, env: { N8N_RESTRICT_FILE_ACCESS_TO: outputRoot } });
			for (const example of served) {
				for (let runIndex = 0; runIndex < (runs[example.file] ?? 1); runIndex++) {
					log(`running ${example.file}${runIndex ? ` again (run ${runIndex + 1})` : ''} (its manual trigger as a webhook: n8n execute has no Data Tables)`);
					await beforeRun(example, runIndex);
					const started = Date.now();
					const { run, executionId } = await runByWebhook(n8n, example.workflow, /** @type {string} */ (example.webhookPath));
					record(example, run, started, { runIndex, executionId });
				}
			}
			for (const example of forms) {
				log(`posting ${FORM_INPUT.image} to ${example.file}`);
				const formUrl = await activateForm(n8n, example.workflow);
				const started = Date.now();
				const { run, page, executionId } = await submitForm(n8n, example.workflow);
				record(example, run, started, { page, executionId, formUrl });
			}
			for (const example of chats) {
				const input = /** @type {Record<string, { message: string, script?: unknown[] }>} */ (CHAT_INPUT)[example.file];
				if (!input) throw new Error(`${example.file} has a Chat Trigger but no message in CHAT_INPUT (scripts/examples.js)`);
				log(`chatting with ${example.file}: "${input.message}"`);
				const chatUrl = await activateChat(n8n, example.workflow);
				const started = Date.now();
				const { run, reply, executionId } = await sendChatMessage(n8n, example.workflow, sandbox, input);
				record(example, run, started, { reply, executionId, chatUrl });
			}
		}
	} finally {
		await n8n?.stop();
		await env.cleanup();
	}
	return results;
}

module.exports = {
	EXAMPLES_DIR,
	FIXTURES_DIR,
	PACKAGE,
	SANDBOX_TIMING,
	FORM_INPUT,
	CHAT_INPUT,
	exampleFiles,
	prepareExample,
	formTriggerOf,
	chatTriggerOf,
	isChatExample,
	manualToWebhook,
	needsServer,
	itemsOf,
	summarizeRun,
	parseCsv,
	submitForm,
	activateForm,
	activateChat,
	sendChatMessage,
	runExamples,
};
