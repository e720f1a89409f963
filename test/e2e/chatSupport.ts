// Chat and AI-agent building blocks of the real-n8n tests: a running `n8n start` with the packed package, an Apertis
// credential and an OpenAI credential both pointing at the sandbox (its scripted chat model stands in for the LLM);
// the Chat Trigger, AI Agent and OpenAI Chat Model nodes the way the editor saves them; posting to a chat webhook
// (whole answers, or a streamed answer read chunk by chunk); reading a finished execution's run data over REST.
import type { N8nServer } from './lib';
import { RUNTIME_MODULES, createN8nEnv, packAndInstall, startN8n } from './lib';
import type { Sandbox } from '../inprocess/harness/sandbox';
import { startSandbox } from '../inprocess/harness/sandbox';
import { PACKAGE, assertReady } from './support';

/** The model name of the sandbox's scripted chat model (test/sandbox/scriptedChat.js). */
export const SCRIPTED_MODEL = 'sandbox-agent';

export interface ChatN8n {
	sandbox: Sandbox;
	n8n: N8nServer;
	/** Credentials entries for the package's nodes and for the OpenAI Chat Model node. */
	apertis: Record<string, { id: string; name: string }>;
	openAi: Record<string, { id: string; name: string }>;
	cleanup(): Promise<void>;
}

/** A sandbox and a running n8n with the packed package, an Apertis credential and an OpenAI credential (Base URL: the sandbox's /v1). */
export async function startChatN8n(options: { sandbox?: Record<string, unknown>; env?: Record<string, string> } = {}): Promise<ChatN8n> {
	assertReady();
	const sandbox = await startSandbox(options.sandbox);
	const env = await createN8nEnv({ keepUserFolder: false });
	let n8n: N8nServer | undefined;
	try {
		await packAndInstall(env.userFolder);
		n8n = await startN8n({ userFolder: env.userFolder, env: options.env });
		const apertis = await n8n.createCredential({ name: 'Apertis sandbox', type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } });
		const openAi = await n8n.createCredential({ name: 'Sandbox chat model', type: 'openAiApi', data: { apiKey: sandbox.apiKey, url: `${sandbox.url}/v1` } });
		const running = n8n;
		return {
			sandbox,
			n8n: running,
			apertis: { apertisApi: { id: apertis.id, name: 'Apertis sandbox' } },
			openAi: { openAiApi: { id: openAi.id, name: 'Sandbox chat model' } },
			cleanup: async () => {
				await running.stop();
				await env.cleanup();
				await sandbox.close();
			},
		};
	} catch (error) {
		await n8n?.stop();
		await env.cleanup();
		await sandbox.close();
		throw error;
	}
}

interface SavedNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
}

/** A public Chat Trigger in embedded (webhook) mode: POST {baseUrl}/webhook/{webhookId}/chat. */
export function chatTrigger(webhookId: string, responseMode: 'lastNode' | 'streaming'): SavedNode {
	return {
		id: 'chat-trigger',
		name: 'When chat message received',
		type: '@n8n/n8n-nodes-langchain.chatTrigger',
		typeVersion: 1.3,
		position: [0, 0],
		webhookId,
		parameters: { public: true, mode: 'webhook', options: { responseMode } },
	};
}

/** n8n's AI Agent (its current version), taking the chat message as its prompt. */
export function aiAgent(options: { systemMessage?: string; typeVersion?: number } = {}): SavedNode {
	return {
		id: 'ai-agent',
		name: 'AI Agent',
		type: '@n8n/n8n-nodes-langchain.agent',
		typeVersion: options.typeVersion ?? 3.1,
		position: [220, 0],
		parameters: { promptType: 'auto', text: '={{ $json.chatInput }}', options: { ...(options.systemMessage ? { systemMessage: options.systemMessage } : {}), enableStreaming: false } },
	};
}

/** n8n's OpenAI Chat Model on the Chat Completions API, with the model and credential given. */
export function openAiChatModel(credentials: Record<string, { id: string; name: string }>, model = SCRIPTED_MODEL): SavedNode {
	return {
		id: 'chat-model',
		name: 'OpenAI Chat Model',
		type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
		typeVersion: 1.3,
		position: [220, 220],
		parameters: { model: { __rl: true, mode: 'id', value: model }, responsesApiEnabled: false, options: {} },
		credentials,
	};
}

/** One of this package's nodes as an AI tool (n8n's `<name>Tool` variant of a usableAsTool node). */
export function apertisTool(name: string, baseType: string, index: number, parameters: Record<string, unknown>, credentials: Record<string, { id: string; name: string }>): SavedNode {
	return { id: `tool-${index}`, name, type: `${PACKAGE}.${baseType}Tool`, typeVersion: 1, position: [220 + index * 160, 440], parameters, credentials };
}

/** `$fromAI(key, description, type)` as a parameter expression. */
export const fromAI = (key: string, description: string, type: 'string' | 'number' | 'boolean' = 'string') =>
	`={{ $fromAI(${JSON.stringify(key)}, ${JSON.stringify(description)}, ${JSON.stringify(type)}) }}`;

/** Connections: trigger → agent (main), model → agent (ai_languageModel), each tool → agent (ai_tool). */
export function agentConnections(trigger: string, agent: string, model: string, tools: string[]): Record<string, unknown> {
	return {
		[trigger]: { main: [[{ node: agent, type: 'main', index: 0 }]] },
		[model]: { ai_languageModel: [[{ node: agent, type: 'ai_languageModel', index: 0 }]] },
		...Object.fromEntries(tools.map((tool) => [tool, { ai_tool: [[{ node: agent, type: 'ai_tool', index: 0 }]] }])),
	};
}

/**
 * Activates a workflow's current version and waits until its chat webhook is registered (webhooks register in the
 * background): GET on the chat URL answers something other than n8n's 404 for an unknown webhook.
 */
export async function activateChat(n8n: N8nServer, workflowId: string, webhookId: string): Promise<string> {
	const { versionId } = await n8n.rest('GET', `/rest/workflows/${workflowId}`);
	await n8n.rest('POST', `/rest/workflows/${workflowId}/activate`, { versionId });
	const url = chatUrl(n8n, webhookId);
	for (let attempt = 0; attempt < 300; attempt++) {
		if ((await fetch(url)).status !== 404) return url;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`The chat webhook ${url} was never registered after activating workflow ${workflowId}`);
}

export const chatUrl = (n8n: N8nServer, webhookId: string) => `${n8n.baseUrl}/webhook/${webhookId}/chat`;

/** Sends one chat message the way n8n's chat widget does; resolves the HTTP answer. */
export async function sendChat(n8n: N8nServer, webhookId: string, chatInput: string, sessionId = `session-${Date.now()}`): Promise<{ status: number; text: string; json: any }> {
	const response = await fetch(chatUrl(n8n, webhookId), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ action: 'sendMessage', sessionId, chatInput }),
	});
	const text = await response.text();
	let json: any;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: response.status, text, json };
}

export interface StreamedChunk {
	/** Order of arrival (0-based) of the network read that carried this JSON line. */
	read: number;
	json: any;
}

/**
 * Sends one chat message to a streaming Chat Trigger and reads the answer as it arrives: n8n writes one JSON object
 * per line ({ type: 'begin' | 'item' | 'end' | 'error', content?, metadata }). `onChunk` sees each line the moment it
 * is read (to look at the world then, e.g. the sandbox's task state). Returns every line with the number of the
 * network read that delivered it, and the number of reads in all.
 */
export async function streamChat(n8n: N8nServer, webhookId: string, chatInput: string, options: { sessionId?: string; onChunk?: (json: any) => void } = {}): Promise<{ status: number; contentType: string | null; chunks: StreamedChunk[]; reads: number; raw: string }> {
	const response = await fetch(chatUrl(n8n, webhookId), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ action: 'sendMessage', sessionId: options.sessionId ?? `session-${Date.now()}`, chatInput }),
	});
	const chunks: StreamedChunk[] = [];
	const take = (read: number, line: string) => {
		const json = JSON.parse(line);
		options.onChunk?.(json);
		chunks.push({ read, json });
	};
	const decoder = new TextDecoder();
	let buffer = '';
	let raw = '';
	let reads = 0;
	const reader = response.body!.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		const text = decoder.decode(value, { stream: true });
		raw += text;
		buffer += text;
		const lines = buffer.split('\n');
		buffer = lines.pop() ?? '';
		for (const line of lines) if (line.trim()) take(reads, line);
		reads++;
	}
	if (buffer.trim()) take(reads - 1, buffer);
	return { status: response.status, contentType: response.headers.get('content-type'), chunks, reads, raw };
}

/** The workflow's executions (newest first), each finished one with its run data. */
export async function finishedExecutions(n8n: N8nServer, workflowId: string, count = 1, timeoutMs = 60_000): Promise<Array<{ id: string; status: string; runData: Record<string, any[]>; error: any }>> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { parse } = require(`${RUNTIME_MODULES}/flatted`);
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const list = await n8n.rest('GET', `/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`);
		const results: Array<{ id: string; status: string; finished?: boolean }> = list.results ?? [];
		const done = results.filter((execution) => ['success', 'error', 'crashed', 'canceled'].includes(execution.status));
		if (done.length >= count) {
			return await Promise.all(
				done.slice(0, count).map(async ({ id }) => {
					const execution = await n8n.rest('GET', `/rest/executions/${id}`);
					const data = typeof execution.data === 'string' ? parse(execution.data) : execution.data;
					return { id, status: execution.status, runData: data?.resultData?.runData ?? {}, error: data?.resultData?.error };
				}),
			);
		}
		if (Date.now() > deadline) throw new Error(`Workflow ${workflowId}: ${done.length} of ${count} execution(s) finished in time`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}
