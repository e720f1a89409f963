// Runs every example workflow in a real n8n against the sandbox and prints what happened: the manually triggered
// ones with `n8n execute`, the form one through `n8n start` and an HTTP form post of test/fixtures/lake.png.
// The outputs (each example's folder: its input copy, results.csv, videos/) stay in demo-output/ in the clone (ignored
// by git); the next run replaces that folder.
'use strict';
const fs = require('fs');
const path = require('path');

const { startSandbox } = require('../test/sandbox');
const { runExamples, exampleFiles, SANDBOX_TIMING } = require('./examples');

const DEFAULT_OUTPUT = path.resolve(__dirname, '..', 'demo-output');
/** Written into the output folder: only a folder holding it (or an empty one) is replaced by the next run. */
const MARKER = '.apertis-demo-output';
const USAGE = `Usage: npm run demo -- [--out DIR] [example-file.json …]   (or node scripts/demo.js …)
  --out DIR   where the outputs go (default: demo-output/ in the clone, ignored by git); the folder is replaced on
              every run, so it must be empty, missing, or a previous demo's output folder
  example files: names in examples/ (default: every example)`;

class UsageError extends Error {}

/** @param {string[]} argv */
function parseArgs(argv) {
	let output = DEFAULT_OUTPUT;
	/** @type {string[]} */
	const files = [];
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--help' || argv[i] === '-h') return { help: true, output, files };
		if (argv[i] === '--keep') continue; // the outputs are always kept now; accepted so that old scripts still run
		if (argv[i] === '--out') {
			if (!argv[i + 1] || argv[i + 1].startsWith('--')) throw new UsageError('--out needs a folder');
			output = path.resolve(argv[++i]);
		} else if (argv[i].startsWith('--')) throw new UsageError(`unknown option ${argv[i]}`);
		else files.push(argv[i]);
	}
	return { help: false, output, files };
}

/** Empties the output folder of the previous run (never a folder the demo did not make) and marks it as the demo's. */
function prepareOutput(/** @type {string} */ output) {
	if (fs.existsSync(output)) {
		const entries = fs.readdirSync(output);
		if (entries.length && !entries.includes(MARKER)) {
			throw new UsageError(`${output} is not empty and is not a previous demo's output folder (it has no ${MARKER}): remove it or pass another --out`);
		}
		fs.rmSync(output, { recursive: true, force: true });
	}
	fs.mkdirSync(output, { recursive: true });
	fs.writeFileSync(path.join(output, MARKER), 'Written by npm run demo (scripts/demo.js): the next run replaces this folder.\n');
}

async function main() {
	const { help, output: outputRoot, files } = parseArgs(process.argv.slice(2));
	if (help) return console.log(USAGE);
	prepareOutput(outputRoot);
	const sandbox = await startSandbox(SANDBOX_TIMING);
	const started = Date.now();
	let results = [];
	try {
		console.log(`outputs go to ${outputRoot} (replaced on every run)`);
		console.log(`sandbox: ${sandbox.url} (no API key needed; each video takes ${SANDBOX_TIMING.durationMs / 1000} s ± ${SANDBOX_TIMING.durationSpread * 100} %)`);
		results = await runExamples({
			sandbox,
			outputRoot,
			files: files.length ? files : exampleFiles(),
			log: (line) => console.log(line),
			onResult: (r) => {
				if (!r.ok) console.error(`${r.file} failed: ${r.run.error?.message ?? r.run.status ?? 'unknown error'}`);
			},
		});
	} finally {
		await sandbox.close();
	}
	printTable(results);
	console.log(`\nall examples: ${((Date.now() - started) / 1000).toFixed(1)} s`);
	console.log(`outputs in ${outputRoot} (kept; the next run replaces them)`);
	process.exit(results.length && results.every((r) => r.ok) ? 0 : 1);
}

/** Where a run's outcome can be seen: the videos it wrote, the files it wrote, or (the form) the link it showed. */
function outcomeOf(r) {
	const { videos, videosDir, files } = r.summary;
	const parts = [];
	if (videos.length) parts.push(`${videos.length} video${videos.length === 1 ? '' : 's'} in ${videosDir}`);
	for (const file of files) parts.push(file);
	if (r.reply !== undefined) parts.push(`chat reply: ${r.reply.trim().split('\n').slice(-1)[0]}`);
	if (r.page !== undefined) {
		const link = /href="([^"]+)"/.exec(r.page);
		parts.push(link ? `completion page links ${link[1]}` : 'completion page without a link');
	}
	return parts.join('; ') || '—';
}

function printTable(rows) {
	const header = ['workflow', 'items', 'completed', 'failed', 'time (s)', 'written to / shown'];
	const lines = rows.map((r) => [r.file, r.summary.items, r.summary.completed, r.summary.failed, r.seconds.toFixed(1), outcomeOf(r)]);
	const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
	const format = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
	console.log(`\n${format(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
	for (const line of lines) console.log(format(line));
}

main().catch((error) => {
	if (error instanceof UsageError) {
		console.error(`demo: ${error.message}\n${USAGE}`);
		process.exit(2);
	}
	console.error(error);
	process.exit(1);
});
