// Types of the real-n8n harness (test/e2e/lib/*.js) for the TypeScript tests. Keep in step with the JSDoc there.

export const REPO_ROOT: string;
export const RUNTIME_DIR: string;
export const RUNTIME_MODULES: string;
export const NODE_BIN: string;
export const N8N_BIN: string;
export const DIST_DIR: string;
export function runtimeInstalled(): boolean;
export function assertRuntimeInstalled(): void;
export function n8nVersion(): string;
export function packageBuildState(): { built: boolean; missing: string[] };

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	timedOut: boolean;
	durationMs: number;
	command: string;
}
export interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	timeoutMs?: number;
	input?: string;
}
export function runProcess(command: string, args: string[], options?: RunOptions): Promise<RunResult>;
export function runChecked(command: string, args: string[], options?: RunOptions): Promise<RunResult>;
export function startProcess(
	command: string,
	args: string[],
	options?: { cwd?: string; env?: NodeJS.ProcessEnv; echo?: boolean },
): {
	child: import('child_process').ChildProcess;
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
	output(): string;
	stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};
export function freePort(): Promise<number>;
export function freePorts(count: number): Promise<number[]>;

export const N8N_NPM_INSTALL_ARGS: string[];
export function packPackage(options?: {
	packageRoot?: string;
	destination?: string;
}): Promise<{ tarball: string; name: string; version: string; files: string[] }>;
export function installTarball(
	userFolder: string,
	tarball: string,
): Promise<{ nodesDir: string; packageDir: string; name: string; version: string; installOutput: string }>;
/** Packs the repo (or options.packageRoot) into a temp dir and installs it; pass `tarball` to install one packed
 * earlier. The tarball it packs itself is deleted afterwards unless keepTarball. */
export function packAndInstall(
	userFolder: string,
	options?: { packageRoot?: string; tarball?: string; keepTarball?: boolean },
): Promise<{
	tarball: string | undefined;
	nodesDir: string;
	packageDir: string;
	name: string;
	version: string;
	installOutput: string;
}>;

export interface Item {
	json: Record<string, any>;
	binary?: Record<string, any>;
	pairedItem?: any;
	error?: any;
}
export interface TaskData {
	startTime?: number;
	executionTime?: number;
	executionStatus?: string;
	error?: any;
	data?: Record<string, Array<Item[] | null>>;
	source?: any;
}
export interface ExecuteResult {
	ok: boolean;
	code: number | null;
	runData: Record<string, TaskData[]>;
	error: any;
	lastNodeExecuted: string | undefined;
	status: string | undefined;
	execution: any;
	stdout: string;
	stderr: string;
	durationMs: number;
}
export interface CredentialInput {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}
export interface WorkflowInput {
	id: string;
	name: string;
	nodes: any[];
	connections: Record<string, any>;
	settings?: Record<string, unknown>;
	active?: boolean;
	pinData?: Record<string, unknown>;
}
export interface N8nEnv {
	userFolder: string;
	encryptionKey: string;
	processEnv(port: number, brokerPort: number): NodeJS.ProcessEnv;
	n8n(args: string[], options?: { timeoutMs?: number; env?: Record<string, string | undefined> }): Promise<RunResult>;
	importCredentials(credentials: CredentialInput[]): Promise<RunResult>;
	importWorkflows(workflows: WorkflowInput[]): Promise<RunResult>;
	execute(id: string, options?: { timeoutMs?: number }): Promise<ExecuteResult>;
	executeBatch(
		ids: string[],
		options?: { timeoutMs?: number; concurrency?: number },
	): Promise<{ code: number | null; summary: any; snapshots: Record<string, any>; stdout: string; stderr: string }>;
	cleanup(): Promise<void>;
}
export interface N8nEnvOptions {
	userFolder?: string;
	encryptionKey?: string;
	port?: number;
	env?: Record<string, string | undefined>;
	keepUserFolder?: boolean;
}
export function createN8nEnv(options?: N8nEnvOptions): Promise<N8nEnv>;
export const n8nEnv: typeof createN8nEnv;
export function n8nProcessEnv(options: {
	userFolder: string;
	encryptionKey: string;
	port: number;
	brokerPort: number;
	extra?: Record<string, string | undefined>;
}): NodeJS.ProcessEnv;
export function parseExecutionOutput(output: string): any;

export const AUTH_COOKIE: 'n8n-auth';
export interface N8nServer {
	baseUrl: string;
	port: number;
	userFolder: string;
	encryptionKey: string;
	cookie: { name: string; value: string };
	cookieHeader: string;
	owner: { email: string; password: string; firstName: string; lastName: string; id: string };
	request(
		method: string,
		path: string,
		body?: unknown,
	): Promise<{ status: number; headers: Headers; body: any; text: string }>;
	rest(method: string, path: string, body?: unknown): Promise<any>;
	output(): string;
	nodeTypes(): Promise<any[]>;
	credentialTypes(): Promise<any[]>;
	createCredential(credential: { name: string; type: string; data: Record<string, unknown> }): Promise<any>;
	testCredential(credential: {
		id: string;
		name?: string;
		type: string;
		data?: Record<string, unknown>;
	}): Promise<{ status: 'OK' | 'Error'; message: string }>;
	createWorkflow(workflow: {
		name: string;
		nodes: any[];
		connections: Record<string, any>;
		settings?: Record<string, unknown>;
	}): Promise<any>;
	getWorkflow(id: string): Promise<any>;
	/** Activates the workflow's current version, then waits until GET servedPath answers 200; resolves that URL. */
	activateWorkflow(id: string, servedPath: string): Promise<string>;
	stop(): Promise<void>;
}
export function startN8n(options?: {
	userFolder?: string;
	port?: number;
	env?: Record<string, string | undefined>;
	encryptionKey?: string;
	timeoutMs?: number;
	echo?: boolean;
}): Promise<N8nServer>;

export * from './queueStack';
