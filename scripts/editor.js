// `npm run editor`: the n8n editor with this package installed, the sandbox as its Apertis API and the examples
// imported, to click through by hand. Runs until Ctrl-C, then stops n8n and the sandbox and removes its folders.
// Usage: node scripts/editor.js [--port 5678]   (default 5678, or a free port when 5678 is taken)
'use strict';
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const { packAndInstall, startN8n, runtimeInstalled, packageBuildState } = require('../test/e2e/lib');
const { startSandbox } = require('../test/sandbox');
const { exampleFiles, prepareExample, formTriggerOf, activateForm } = require('./examples');

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

async function main() {
	const portArg = process.argv.indexOf('--port');
	const wanted = portArg > 0 ? Number(process.argv[portArg + 1]) : 5678;
	if (!runtimeInstalled()) throw new Error('The pinned n8n runtime is missing. Run: bash scripts/install-n8n-runtime.sh');
	if (!packageBuildState().built) throw new Error('The package is not built. Run: npm run build');

	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apertis-editor-'));
	const userFolder = path.join(root, 'n8n');
	const filesRoot = path.join(root, 'files');
	fs.mkdirSync(filesRoot, { recursive: true });
	/** @type {any} */
	let sandbox;
	/** @type {any} */
	let n8n;
	let stopping = false;
	const stop = async (code = 0) => {
		if (stopping) return;
		stopping = true;
		console.log('\nstopping n8n and the sandbox…');
		await n8n?.stop().catch(() => {});
		await sandbox?.close().catch(() => {});
		fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 });
		process.exit(code);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());

	try {
		sandbox = await startSandbox(EDITOR_SANDBOX);
		console.log(`sandbox (the Apertis API stand-in): ${sandbox.url}`);
		console.log('installing the packed package into a fresh n8n user folder…');
		await packAndInstall(userFolder);
		const port = (await portIsFree(wanted)) ? wanted : undefined;
		console.log('starting n8n…');
		n8n = await startN8n({ userFolder, port, env: { N8N_RESTRICT_FILE_ACCESS_TO: filesRoot } });
		const credential = await n8n.createCredential({ name: 'Apertis sandbox', type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } });
		const lines = [];
		for (const file of exampleFiles()) {
			const { workflow, folder } = prepareExample(file, { credentialId: credential.id, outputRoot: filesRoot });
			const created = await n8n.createWorkflow(workflow);
			let note = `files in ${folder}`;
			if (formTriggerOf(workflow)) note = `form: ${await activateForm(n8n, { ...workflow, id: created.id })}`;
			lines.push(`  ${workflow.name}\n      ${n8n.baseUrl}/workflow/${created.id}   (${note})`);
		}
		console.log(`
n8n is running: ${n8n.baseUrl}
  log in as ${n8n.owner.email} / ${n8n.owner.password}
  credential "Apertis sandbox" points at the sandbox (key ${sandbox.apiKey}); videos take about ${EDITOR_SANDBOX.durationMs / 1000} s.
  Prompt directives for the sandbox: [fail] ends a task as failed, [never] never finishes, [duration:5] takes 5 s.

Examples imported:
${lines.join('\n')}

Press Ctrl-C to stop.`);
	} catch (error) {
		console.error(error);
		await stop(1);
	}
}

void main();
