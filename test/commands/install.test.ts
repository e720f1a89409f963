/**
 * Issue 14, point 5: the Node the README asks for is package.json's `engines`, and the install set-up makes prints no
 * engine warning. The dev dependencies' install (scripts/install-dev-deps.sh: npm ci with the pinned Node 24, see
 * there why) is run for real with --dry-run, from a copy of package.json and package-lock.json.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { REPO_ROOT, RUNTIME_DIR, assertRuntimeInstalled, runProcess } from '../e2e/lib';

jest.setTimeout(5 * 60_000);

test('the README asks for the Node version package.json engines names', () => {
	const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
	const asked = [...readme.matchAll(/Node\.js ≥ ?(\d+(?:\.\d+)*)/g)].map((m) => m[1]);
	expect(asked.length).toBeGreaterThan(0);
	const { engines } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
	for (const version of asked) expect(`>=${version}`).toBe(engines.node);
});

test('installing the dev dependencies the way set-up does prints no engine warning', async () => {
	assertRuntimeInstalled();
	const copy = mkdtempSync(join(tmpdir(), 'apertis-install-'));
	try {
		for (const file of ['package.json', 'package-lock.json']) cpSync(join(REPO_ROOT, file), join(copy, file));
		mkdirSync(join(copy, 'scripts'));
		cpSync(join(REPO_ROOT, 'scripts', 'install-dev-deps.sh'), join(copy, 'scripts', 'install-dev-deps.sh'));
		mkdirSync(join(copy, 'test', 'e2e'), { recursive: true });
		symlinkSync(RUNTIME_DIR, join(copy, 'test', 'e2e', 'n8n-runtime'));

		const install = await runProcess('bash', ['scripts/install-dev-deps.sh', '--dry-run'], { cwd: copy, timeoutMs: 4 * 60_000 });
		const output = install.stdout + install.stderr;
		expect({ code: install.code, output }).toEqual({ code: 0, output: expect.stringMatching(/added \d+ packages/) });
		expect(output).not.toMatch(/EBADENGINE|Unsupported engine/);
	} finally {
		rmSync(copy, { recursive: true, force: true });
	}
});
