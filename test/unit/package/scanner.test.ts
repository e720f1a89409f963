/**
 * n8n's own gate for community packages, `@n8n/scan-community-package` (pinned in devDependencies), run on the packed
 * tarball. `npx @n8n/scan-community-package n8n-nodes-apertis-video` downloads a published version from
 * registry.npmjs.org, checks its npm provenance, fetches the source the provenance names from GitHub and lints both;
 * before a release that is impossible, so the two lint legs run here on what would be published: the tarball
 * (compiled .js and package.json, as the scanner lints the download) and the source it was built from (package.json,
 * nodes/ and credentials/, as the scanner lints the attested source checkout). The provenance leg is publish.yml's
 * (`npm publish --provenance`). Needs the build output (`npm run build`).
 *
 * The scanner makes a temp folder when it is loaded and leaves it: it runs in a child process whose TMPDIR is a
 * folder this test owns and removes.
 */
import { appendFileSync, mkdtempSync, mkdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { REPO_ROOT, packPackage, packageBuildState, runChecked, runProcess } from '../../e2e/lib';

jest.setTimeout(3 * 60_000);

const SCAN = `
	import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';
	const [packageDir, sourceDir] = process.argv.slice(1);
	const strip = ({ passed, message, details }) => ({ passed, message, details });
	const tarball = strip(await analyzePackage(packageDir, ['**/*.js', 'package.json']));
	const source = strip(await analyzePackage(sourceDir, SOURCE_FILE_PATTERNS));
	console.log(JSON.stringify({ tarball, source }));`;

interface Leg {
	passed: boolean;
	message?: string;
	details?: string;
}

let work: string;
let unpacked: string;

async function scan(packageDir: string): Promise<{ tarball: Leg; source: Leg }> {
	const scannerTmp = mkdtempSync(join(work, 'scanner-tmp-'));
	// Not jest's NODE_ENV=test: eslint-plugin-n8n-nodes-base then switches to the file names of its own tests.
	const env = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'NODE_ENV')), TMPDIR: scannerTmp };
	const result = await runProcess(process.execPath, ['--input-type=module', '-e', SCAN, packageDir, REPO_ROOT], { cwd: REPO_ROOT, env, timeoutMs: 2 * 60_000 });
	if (result.code !== 0) throw new Error(`the scanner failed to run (exit ${result.code})\n${result.stdout}\n${result.stderr}`);
	return JSON.parse(result.stdout.trim().split('\n').at(-1)!);
}

beforeAll(async () => {
	const { built, missing } = packageBuildState();
	if (!built) throw new Error(`The package is not built (missing: ${missing.join(', ') || 'dist/'}). Run: npm run build`);
	work = mkdtempSync(join(tmpdir(), 'apertis-scan-'));
	const { tarball } = await packPackage({ destination: work });
	unpacked = join(work, 'package');
	mkdirSync(unpacked);
	await runChecked('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
});
afterAll(() => {
	if (work) rmSync(work, { recursive: true, force: true });
});

test('the packed tarball and its source pass n8n’s community-package scanner', async () => {
	const { tarball, source } = await scan(unpacked);
	expect(tarball).toEqual({ passed: true });
	expect(source).toEqual({ passed: true });
});

test('the scanner does lint those files: a console.log added to a compiled node fails it', async () => {
	const tampered = join(work, 'tampered');
	await runChecked('cp', ['-R', unpacked, tampered]);
	const nodeFile = join(tampered, 'dist', 'nodes', 'ApertisWaitUntilDone', 'ApertisWaitUntilDone.node.js');
	appendFileSync(nodeFile, '\nconsole.log("leak");\n');
	const { tarball } = await scan(tampered);
	expect(tarball.passed).toBe(false);
	expect(tarball.details).toContain('no-console');
});
