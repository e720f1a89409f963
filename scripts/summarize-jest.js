// Adds up jest's --json reports of the test runs and prints the closing line "N passed, N failed".
// A report that is missing (its run crashed before writing it) counts as a failure, and so does each
// `--failed <what>` (a check test.sh makes outside jest).
const fs = require('fs');

let passed = 0;
let failed = 0;
let skipped = 0;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
	const file = args[i];
	if (file === '--failed') {
		// A check outside jest that failed (e.g. "temp files left by …"): one failure.
		console.error(`failed: ${args[++i]}`);
		failed += 1;
		continue;
	}
	if (!fs.existsSync(file)) {
		console.error(`missing test report ${file}`);
		failed += 1;
		continue;
	}
	const report = JSON.parse(fs.readFileSync(file, 'utf8'));
	passed += report.numPassedTests;
	failed += report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
	skipped += report.numPendingTests + (report.numTodoTests ?? 0);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
