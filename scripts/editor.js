// `npm run editor`: the n8n editor with this package installed, the sandbox as its Apertis API and the examples
// imported, to click through by hand. First it runs the set-up (scripts/setup.sh without chromium, Redis and
// PostgreSQL) and the build.
// Runs until Ctrl-C, SIGINT or SIGTERM, then stops n8n and the sandbox and removes its folder (every temp file of
// this run, n8n's included, is inside that folder). A signal during the set-up or the build stops that step's whole
// process tree first.
// Usage: node scripts/editor.js [--port 5678]   (default 5678, or a free port when 5678 is taken)
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const { packAndInstall, startN8n, runtimeInstalled, packageBuildState } = require('../test/e2e/lib');
const { startSandbox } = require('../test/sandbox');
const { exampleFiles, prepareExample, formTriggerOf, activateForm, chatTriggerOf, activateChat, CHAT_INPUT } = require('./examples');

/** Slower than the demo, so that progress can be watched in the editor. */
const EDITOR_SANDBOX = { durationMs: 15_000, durationSpread: 0.3 };

/** @param {number} port */
function portIsFree(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** The set-up step running now: its own process group, so that a signal can stop its whole tree. */
/** @type {import('child_process').ChildProcess | undefined} */
let step;

/**
 * Runs one set-up step to completion (output shown as it comes); rejects when it fails.
 * @param {string} command @param {string[]} args @param {NodeJS.ProcessEnv} [env]
 */
function runStep(command, args, env = process.env) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: path.resolve(__dirname, '..'), env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
		step = child;
		child.on('error', reject);
		child.on('close', (code, signal) => {
			step = undefined;
			if (code === 0) resolve(undefined);
			else reject(new Error(`${command} ${args.join(' ')} ${signal ? `stopped by ${signal}` : `exited with ${code}`}`));
		});
	});
}

/** @type {(code?: number) => Promise<void>} */
let stop = async (code = 0) => {
	// Before n8n starts: stop the running set-up step's process tree, then leave.
	if (step?.pid !== undefined && step.exitCode === null) {
		const { pid } = step;
		const ended = new Promise((resolve) => step?.once('close', resolve));
		try {
			process.kill(-pid, 'SIGTERM');
		} catch {
			// already gone
		}
		await ended;
	}
	process.exit(code);
};
let signalled = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => {
		signalled = true;
		void stop();
	});
}

async function main() {
	const portArg = process.argv.indexOf('--port');
	const wanted = portArg > 0 ? Number(process.argv[portArg + 1]) : 5678;
	await runStep('bash', ['scripts/setup.sh'], { ...process.env, SKIP_BROWSER: '1', SKIP_QUEUE_SERVICES: '1' });
	await runStep('npm', ['run', '--silent', 'build']);
	if (!runtimeInstalled()) throw new Error('The pinned n8n runtime is missing. Run: bash scripts/install-n8n-runtime.sh');
	if (!packageBuildState().built) throw new Error('The package is not built. Run: npm run build');

	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apertis-editor-'));
	// Every temp file of this run (the packed tarball, n8n's own) goes inside root, and root goes at the end.
	process.env.TMPDIR = root;
	const userFolder = path.join(root, 'n8n');
	const filesRoot = path.join(root, 'files');
	fs.mkdirSync(filesRoot, { recursive: true });
	/** @type {any} */
	let sandbox;
	/** @type {any} */
	let n8n;
	let stopping = false;
	stop = async (code = 0) => {
		if (stopping) return;
		stopping = true;
		console.log('\nstopping n8n and the sandbox…');
		await n8n?.stop().catch(() => {});
		await sandbox?.close().catch(() => {});
		fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 });
		console.log('stopped');
		process.exit(code);
	};

	try {
		sandbox = await startSandbox(EDITOR_SANDBOX);
		console.log(`sandbox (the Apertis API stand-in): ${sandbox.url}`);
		console.log('installing the packed package into a fresh n8n user folder…');
		await packAndInstall(userFolder);
		const port = (await portIsFree(wanted)) ? wanted : undefined;
		console.log('starting n8n…');
		n8n = await startN8n({ userFolder, port, env: { N8N_RESTRICT_FILE_ACCESS_TO: filesRoot } });
		const credential = await n8n.createCredential({ name: 'Apertis sandbox', type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } });
		// The agent example's chat model: the sandbox's scripted model, through an OpenAI credential on the sandbox's /v1.
		const openAi = await n8n.createCredential({ name: 'Sandbox chat model', type: 'openAiApi', data: { apiKey: sandbox.apiKey, url: `${sandbox.url}/v1` } });
		sandbox.configure({ chatScript: CHAT_INPUT['agent-video.json'].script });
		const lines = [];
		for (const file of exampleFiles()) {
			const { workflow, folder } = prepareExample(file, { credentialId: credential.id, outputRoot: filesRoot, openAiCredential: { id: openAi.id, name: 'Sandbox chat model' } });
			const created = await n8n.createWorkflow(workflow);
			let note = `files in ${folder}`;
			if (formTriggerOf(workflow)) note = `form: ${await activateForm(n8n, { ...workflow, id: created.id })}`;
			if (chatTriggerOf(workflow)) note = `chat: ${await activateChat(n8n, { ...workflow, id: created.id })}`;
			lines.push(`  ${workflow.name}\n      ${n8n.baseUrl}/workflow/${created.id}   (${note})`);
		}
		console.log(`
n8n is running: ${n8n.baseUrl}
  log in as ${n8n.owner.email} / ${n8n.owner.password}
  credential "Apertis sandbox" points at the sandbox (key ${sandbox.apiKey}); videos take about ${EDITOR_SANDBOX.durationMs / 1000} s.
  Prompt directives for the sandbox: [fail] ends a task as failed, [never] never finishes, [duration:5] takes 5 s.
  The agent example's chat model is the sandbox's scripted model: whatever you write, it calls Video Create (veo3),
  then Wait Until Done, and answers with the video link.

Examples imported:
${lines.join('\n')}

Press Ctrl-C to stop (or send SIGINT or SIGTERM to this process).`);
	} catch (error) {
		console.error(error);
		await stop(1);
	}
}

main().catch(async (error) => {
	if (signalled) return; // the step failed because a signal stopped it: stop() is already on its way out
	console.error(error instanceof Error ? error.message : error);
	await stop(1);
});
