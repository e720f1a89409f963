// Typed access to the sandbox server (plain JavaScript in test/sandbox) for the TypeScript tests.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sandboxModule = require('../../sandbox');

export interface LoggedRequest {
	seq: number;
	at: number;
	/** 'files' is the storage host that serves video_url. */
	server: 'api' | 'files';
	/** Whether any Authorization header came (the storage host must never get the key). */
	sentAuthorization: boolean;
	fault?: string;
	method: string;
	path: string;
	query: Record<string, string>;
	authorized: boolean;
	contentType?: string;
	body?: any;
	status: number;
	taskId?: string;
}

/** One call of the sandbox's scripted chat model (test/sandbox/scriptedChat.js). */
export interface ChatCall {
	seq: number;
	at: number;
	model: string;
	/** Which script turn answered (= the number of assistant messages the request carried). */
	turn: number;
	/** The tools the client offered, as sent (name, description, JSON Schema parameters). */
	tools: Array<{ name: string; description: string; parameters: any }>;
	messages: any[];
	/** Every tool message of the conversation, with the name of the tool that produced it; json = content parsed. */
	toolResults: Array<{ toolCallId: string; name: string | undefined; content: string; json: unknown }>;
	/** The chat.completion the sandbox answered. */
	answer: any;
}

export interface Sandbox {
	url: string;
	/** Origin of the storage host that serves finished videos (video_url). */
	filesUrl: string;
	port: number;
	apiKey: string;
	requests(): LoggedRequest[];
	/** The scripted chat model's calls (configure({ chatScript }) sets its turns). */
	chatCalls(): ChatCall[];
	tasks(): Array<Record<string, any>>;
	reset(): void;
	configure(patch: Record<string, unknown>): void;
	close(): Promise<void>;
	/** SHA-256 (hex) of the bytes a finished task's video has; 'upsampled': of a `family` task's detail.upsample_video_url. */
	videoSha256(id: string, which?: 'video' | 'upsampled'): Promise<string>;
	/** The configuration in force (without the API key); `variant` lists the active variants (test/sandbox/variants.js). */
	config(): Record<string, any>;
}

export async function startSandbox(options: Record<string, unknown> = {}): Promise<Sandbox> {
	return await sandboxModule.startSandbox(options);
}

export const sandboxLib: Record<string, any> = sandboxModule;

/** Resolves once the sandbox's clock has passed the task's scheduled end (no fixed sleeps in tests). */
export async function untilTaskDone(sandbox: Sandbox, id: string): Promise<void> {
	const task = sandbox.tasks().find((candidate) => candidate.id === id);
	if (!task || task.doneAt === null) throw new Error(`The sandbox has no finishing task ${id}`);
	const left = (task.doneAt as number) - Date.now();
	if (left > 0) await new Promise((resolve) => setTimeout(resolve, left + 5));
}
