// Runs the example workflows in a real n8n against the sandbox and prints what happened.
// Usage: node scripts/demo.js [--keep] [example-file.json …]   (--keep leaves the output folder in place)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const { createN8nEnv, packAndInstall } = require('../test/e2e/lib');
const { startSandbox } = require('../test/sandbox');
const { prepareExample, summarizeRun, EXAMPLES_DIR } = require('./examples');

async function main() {
	const args = process.argv.slice(2);
	const keep = args.includes('--keep');
	const files = args.filter((a) => !a.startsWith('--'));
	const exampleFiles = files.length ? files : fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();

	const outputRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'apertis-demo-'));
	const sandbox = await startSandbox({ durationMs: 4000 });
	const env = await createN8nEnv({ env: { N8N_RESTRICT_FILE_ACCESS_TO: outputRoot } });
	const rows = [];
	try {
		console.log(`sandbox: ${sandbox.url}   n8n user folder: ${env.userFolder}`);
		await packAndInstall(env.userFolder);
		await env.importCredentials([
			{ id: 'apertisSandbox1', name: 'Apertis sandbox', type: 'apertisApi', data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url } },
		]);
		const workflows = exampleFiles.map((file) => prepareExample(file, { credentialId: 'apertisSandbox1', outputRoot }));
		await env.importWorkflows(workflows.map((w) => w.workflow));
		for (const { workflow, folder } of workflows) {
			const started = Date.now();
			const run = await env.execute(workflow.id, { timeoutMs: 10 * 60_000 });
			rows.push({ workflow: workflow.name, ...summarizeRun(workflow, run), seconds: ((Date.now() - started) / 1000).toFixed(1), folder, ok: run.ok });
			if (!run.ok) console.error(`${workflow.name} failed: ${run.error?.message ?? 'unknown error'}`);
		}
	} finally {
		await env.cleanup();
		await sandbox.close();
		if (!keep) console.log(`(outputs are in ${outputRoot}; pass --keep to keep them after the run)`);
	}
	printTable(rows);
	if (!keep) fs.rmSync(outputRoot, { recursive: true, force: true });
	process.exit(rows.every((row) => row.ok) ? 0 : 1);
}

function printTable(rows) {
	const header = ['workflow', 'items', 'completed', 'failed', 'time (s)', 'videos written to'];
	const lines = rows.map((r) => [r.workflow, r.items, r.completed, r.failed, r.seconds, r.videos.length ? `${r.videos.length} in ${r.videosDir}` : '—']);
	const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
	const format = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
	console.log(`\n${format(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
	for (const line of lines) console.log(format(line));
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
