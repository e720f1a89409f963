// Types of scripts/examples.js for the TypeScript tests. Keep in step with the JSDoc there.
import type { ExecuteResult, N8nServer } from '../test/e2e/lib';

export const EXAMPLES_DIR: string;
export const FIXTURES_DIR: string;
export const PACKAGE: string;
export const SANDBOX_TIMING: { durationMs: number; durationSpread: number };
export const FORM_INPUT: { image: string; mimeType: string; prompt: string };
/** Per chat example file: the message the demo and the tests send, and (an agent) the sandbox's scripted model turns. */
export const CHAT_INPUT: Record<string, { message: string; script?: unknown[] }>;

export interface ExampleWorkflow {
	id: string;
	name: string;
	nodes: Array<{ name: string; type: string; parameters: Record<string, any>; webhookId?: string; [key: string]: any }>;
	connections: Record<string, any>;
	settings?: Record<string, unknown>;
}
export interface PreparedExample {
	file: string;
	workflow: ExampleWorkflow;
	/** Where the example reads its input files (a copy of examples/data) and writes its outputs. */
	folder: string;
}
export interface RunSummary {
	items: number;
	completed: number;
	failed: number;
	videos: string[];
	videosDir: string;
	files: string[];
}
/** A run: from `n8n execute`, or (the form) the finished execution read over REST. */
export type ExampleRun = Pick<ExecuteResult, 'ok' | 'runData' | 'error' | 'status'>;
export interface ExampleResult extends PreparedExample {
	run: ExampleRun;
	ok: boolean;
	seconds: number;
	summary: RunSummary;
	/** Manually triggered examples: which run of the example this was (0 = the first; see runExamples' runs). */
	runIndex?: number;
	/** Examples run by a server through a webhook instead of their manual trigger (see needsServer): its path. */
	webhookPath?: string;
	/** Form examples: the completion page's HTML, the execution and the form's URL. */
	page?: string;
	executionId?: string;
	formUrl?: string;
	/** Chat examples: the reply the chat caller got (a streaming chat: its streamed text) and the chat URL. */
	reply?: string;
	chatUrl?: string;
}

export function exampleFiles(): string[];
export function prepareExample(
	file: string,
	options: { credentialId: string; credentialName?: string; outputRoot: string; openAiCredential?: { id: string; name: string } },
): PreparedExample;
export function formTriggerOf(workflow: ExampleWorkflow): ExampleWorkflow['nodes'][number] | undefined;
export function chatTriggerOf(workflow: ExampleWorkflow): ExampleWorkflow['nodes'][number] | undefined;
export function isChatExample(file: string): boolean;
/** The manual trigger becomes a production webhook (POST, answers at once); returns its path (none: undefined). */
export function manualToWebhook(workflow: ExampleWorkflow): string | undefined;
/** Whether `n8n execute` cannot run the example (it uses a Data Table: the CLI runs without n8n's modules). */
export function needsServer(workflow: ExampleWorkflow): boolean;
export function itemsOf(run: Pick<ExecuteResult, 'runData'>, nodeName: string, output?: number): Array<{ json: Record<string, any>; binary?: Record<string, any> }>;
export function summarizeRun(workflow: ExampleWorkflow, run: Pick<ExecuteResult, 'runData'>): RunSummary;
export function parseCsv(text: string): Array<Record<string, string>>;
export function submitForm(
	n8n: N8nServer,
	workflow: ExampleWorkflow,
	input?: { image?: string; mimeType?: string; prompt?: string; timeoutMs?: number },
): Promise<{ page: string; executionId: string; status: string; run: ExampleRun }>;
export function activateForm(n8n: N8nServer, workflow: ExampleWorkflow): Promise<string>;
export function activateChat(n8n: N8nServer, workflow: ExampleWorkflow): Promise<string>;
export function sendChatMessage(
	n8n: N8nServer,
	workflow: ExampleWorkflow,
	sandbox: { url: string },
	input: { message: string; script?: unknown[] },
	timeoutMs?: number,
): Promise<{ reply: string; executionId: string; run: ExampleRun }>;
export function runExamples(options: {
	sandbox: { url: string; apiKey: string };
	outputRoot: string;
	files?: string[];
	/** How many times to run a manually triggered example in a row on the same folder (default 1). */
	runs?: Record<string, number>;
	/** Awaited before each execution of a manually triggered example. */
	beforeRun?: (example: PreparedExample, runIndex: number) => unknown;
	onResult?: (result: ExampleResult) => void;
	log?: (line: string) => void;
}): Promise<ExampleResult[]>;
