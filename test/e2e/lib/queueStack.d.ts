// Types of test/e2e/lib/queueStack.js (n8n in queue mode: Redis, Postgres, main + workers). Keep in step with its
// JSDoc. Re-exported by index.d.ts.

export interface QueueStackOptions {
	/** Number of workers (default 2). */
	workers?: number;
	/** `n8n worker --concurrency` (default 5). */
	concurrency?: number;
	/** Extra variables for every n8n process (undefined removes one). */
	env?: Record<string, string | undefined>;
	mainEnv?: Record<string, string | undefined>;
	workerEnv?: Record<string, string | undefined>;
	/** A .tgz packed earlier (default: `npm pack` of the repository, removed after the install). */
	tarball?: string;
	/** Progress lines, each with the seconds since the stack began. */
	log?: (line: string) => void;
	/** Copy every process's output to stderr. */
	echo?: boolean;
	/** Leave the temp folder in place after stop(). */
	keepRoot?: boolean;
	/** false: Redis, Postgres and the user folders only; call start() after importing. Default true. */
	startN8n?: boolean;
	/** How long each n8n process may take to become ready (default 240 s). */
	readyTimeoutMs?: number;
}

export interface QueueProcess {
	name: string;
	pid(): number | undefined;
	/** Output of the current (or last) start. */
	output(): string;
	/** Output of every start so far. */
	logs(): string;
	running(): boolean;
}

export interface QueueWorker extends QueueProcess {
	index: number;
	hostname: string;
	healthPort: number;
	userFolder: string;
	/** Signals the worker's node process only (default SIGKILL, as a crash); resolves once it has exited. */
	kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface QueueExecution {
	id: string;
	status: string;
	finished: boolean;
	mode: string;
	startedAt: string | null;
	stoppedAt: string | null;
	workflowId: string;
	/** The execution's data, parsed from n8n's flatted format. */
	data: any;
	runData: Record<string, any[]>;
	error: any;
	lastNodeExecuted: string | undefined;
}

export interface QueueStack {
	root: string;
	encryptionKey: string;
	owner: { email: string; password: string; firstName: string; lastName: string };
	baseUrl: string;
	redis: QueueProcess & { port: number };
	postgres: QueueProcess & { port: number; database: string; user: string; sql(query: string): Promise<string> };
	main: QueueProcess & { port: number; baseUrl: string; userFolder: string };
	workers: QueueWorker[];

	/** Starts every n8n process not running, waits until ready, logs the owner in (sets it up the first time). */
	start(): Promise<void>;
	/** SIGTERM to main and the workers (SIGKILL after 20 s); Redis and Postgres keep running. */
	stopN8n(): Promise<void>;
	/** stopN8n, optionally Redis (its queue is lost: no persistence) and Postgres (same data), then start(). */
	restart(how?: { redis?: 'keep' | 'restart'; postgres?: 'keep' | 'restart' }): Promise<void>;
	startWorker(index: number): Promise<void>;
	stopWorker(index: number): Promise<void>;
	/** Everything, then the temp folder. Idempotent. */
	stop(): Promise<void>;
	/** Every port the stack listens on. */
	ports(): number[];
	isListening(port: number): Promise<boolean>;

	/** `n8n <args>` in a user folder of its own, against this stack's Postgres; throws on a non-zero exit. */
	cli(args: string[]): Promise<import('./index').RunResult>;
	importCredentials(credentials: Array<{ id: string; name: string; type: string; data: Record<string, unknown> }>): Promise<void>;
	importWorkflows(
		workflows: Array<{ id: string; name: string; nodes: any[]; connections: Record<string, any>; settings?: Record<string, unknown> }>,
	): Promise<void>;
	/** Main running: REST activation, then waits for the probe's trigger to be served. Stopped: `n8n publish:workflow`. */
	publishWorkflow(id: string, probe?: { method: string; path: string }): Promise<void>;
	/** Resolves the full URL once main serves it (a probe that starts no execution). */
	waitForWebhook(method: string, path: string): Promise<string>;
	request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }>;
	rest(method: string, path: string, body?: unknown): Promise<any>;
	/** The owner's session cookie for main (`n8n-auth=…`), e.g. for GET /rest/binary-data. */
	cookieHeader(): string;

	/** Execution summaries, newest first. */
	executions(filter?: { workflowId?: string; status?: string[] }): Promise<any[]>;
	execution(id: string | number): Promise<QueueExecution>;
	waitForExecution(id: string | number, options?: { statuses?: string[]; timeoutMs?: number }): Promise<QueueExecution>;
	/** executionId → the workers that started it ("Worker started execution N" in every start of every worker's
	 * log); several when it was resumed (after a Wait node) by another worker. */
	whoRan(): Record<string, string[]>;
	/** 'worker1', 'worker1+worker2' when several ran it, undefined when none has yet. */
	workerOf(executionId: string | number): string | undefined;
}

export function startQueueStack(options?: QueueStackOptions): Promise<QueueStack>;
/** Whether redis-server and Postgres's initdb are installed (scripts/install-queue-services.sh). */
export function queueServicesInstalled(): boolean;
export function postgresBinDir(): string;
/** stop() of every queue stack of this process, also one still being brought up (for Ctrl-C handlers). */
export function stopAllQueueStacks(): Promise<void>;
