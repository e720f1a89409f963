// Runs every example workflow in a real n8n against the sandbox and prints what happened: the manually triggered
// ones with `n8n execute`, the form one through `n8n start` and an HTTP form post of test/fixtures/lake.png.
// Usage: node scripts/demo.js [--keep] [example-file.json …]   (--keep leaves the output folder in place)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const { startSandbox } = require('../test/sandbox');
const { runExamples, exampleFiles, SANDBOX_TIMING } = require('./examples');

async function main() {
	const args = process.argv.slice(2);
	const keep = args.includes('--keep');
	const files = args.filter((a) => !a.startsWith('--'));
	const outputRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'apertis-demo-'));
	const sandbox = await startSandbox(SANDBOX_TIMING);
	const started = Date.now();
	let results = [];
	try {
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
	console.log(`\nall examples: ${((Date.now() - started) / 1000).toFixed(1)} s; outputs in ${outputRoot}${keep ? '' : ' (removed now; pass --keep to keep them)'}`);
	if (!keep) fs.rmSync(outputRoot, { recursive: true, force: true });
	process.exit(results.length && results.every((r) => r.ok) ? 0 : 1);
}

/** Where a run's outcome can be seen: the videos it wrote, the files it wrote, or (the form) the link it showed. */
function outcomeOf(r) {
	const { videos, videosDir, files } = r.summary;
	const parts = [];
	if (videos.length) parts.push(`${videos.length} video${videos.length === 1 ? '' : 's'} in ${videosDir}`);
	for (const file of files) parts.push(file);
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
	console.error(error);
	process.exit(1);
});
