/**
 * `npm run conformance` (scripts/conformance.js), the check for the first real key, run as a process against the
 * sandbox started here: for the document's shapes and for each variant it names that variant, its report holds every
 * exchange and no API key, and it starts nothing (not one request) without --yes and without a terminal, or with a
 * key on the command line.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { REPO_ROOT, runProcess } from '../e2e/lib';
import type { Sandbox } from '../inprocess/harness/sandbox';
import { startSandbox } from '../inprocess/harness/sandbox';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { redactText } = require('../../scripts/conformance/record');

const SCRIPT = join(REPO_ROOT, 'scripts', 'conformance.js');
const KEY = 'sk-conformance-test-7f3a9c51';
let sandbox: Sandbox;
let out: string;

beforeAll(async () => {
	sandbox = await startSandbox({ apiKey: KEY, durationMs: 300, sse: { progressIntervalMs: 30 } });
	out = mkdtempSync(join(tmpdir(), 'apertis-conformance-'));
});
afterAll(async () => {
	await sandbox.close();
	rmSync(out, { recursive: true, force: true });
});
beforeEach(() => sandbox.reset());

const conformance = (args: string[], env: Record<string, string | undefined> = { APERTIS_API_KEY: KEY }) =>
	runProcess(process.execPath, [SCRIPT, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeoutMs: 30_000 });

test.each(['document', 'tokens', 'failure-words', 'opaque-ids', 'upper-case', 'sparse', 'strings', 'family'])(
	'against the sandbox as %s, the check ends naming it; the report has every exchange and no key',
	async (variant) => {
		sandbox.configure({ variant: variant === 'document' ? [] : variant });
		const dir = join(out, variant);
		const run = await conformance(['--yes', '--base-url', sandbox.url, '--out', dir, '--poll-seconds', '0.05']);
		expect(run.stderr).toBe('');
		expect(run.code).toBe(0);
		expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`matches sandbox variant: ${variant}`);
		expect(run.stdout).toContain('PAID');
		expect(run.stdout).not.toContain(KEY);
		const files = readdirSync(dir);
		expect(files).toEqual([expect.stringMatching(/^conformance-.+\.json$/)]);
		const text = readFileSync(join(dir, files[0]), 'utf8');
		expect(text).not.toContain(KEY);
		expect(text).not.toMatch(/[?&]id=/);
		const report = JSON.parse(text);
		expect(report.exchanges).toHaveLength(sandbox.requests().length);
		expect(report.exchanges.every((e: any) => e.response?.status === 200 && !('authorization' in e.request.headers))).toBe(true);
		expect(report.exchanges.find((e: any) => e.label.includes('stream')).response.rawEvents).toContain('data: [DONE]');
		expect(sandbox.requests().filter((entry) => entry.method === 'POST').map((entry) => entry.path).sort()).toEqual(['/v1/chat/completions', '/v1/video/create', '/v1/videos']);
	},
);

test('without --yes and without a terminal it refuses (exit 2) before any request; npm run conformance is the script', async () => {
	const run = await runProcess('npm', ['run', '--silent', 'conformance', '--', '--base-url', sandbox.url, '--out', join(out, 'refused')], {
		cwd: REPO_ROOT,
		env: { ...process.env, APERTIS_API_KEY: KEY },
		timeoutMs: 30_000,
	});
	expect(run.code).toBe(2);
	expect(run.stdout).toContain('PAID');
	expect(run.stderr).toContain('stdin is not a terminal');
	expect(sandbox.requests()).toHaveLength(0);
	expect(readdirSync(out)).not.toContain('refused');
});

test('a key on the command line is refused, pointing to APERTIS_API_KEY; without the variable nothing starts', async () => {
	const flag = await conformance(['--yes', '--base-url', sandbox.url, '--key', KEY]);
	expect(flag.code).toBe(2);
	expect(flag.stderr).toContain('--key is refused');
	expect(flag.stderr).toContain('APERTIS_API_KEY');
	const missing = await conformance(['--yes', '--base-url', sandbox.url], { APERTIS_API_KEY: undefined });
	expect(missing.code).toBe(2);
	expect(missing.stderr).toContain('APERTIS_API_KEY');
	expect(sandbox.requests()).toHaveLength(0);
});

test('redaction: the key, user-info and query strings of URLs, also JSON-escaped ones', () => {
	expect(redactText(`Bearer ${KEY}`, KEY)).toBe('Bearer ***');
	expect(redactText('https://user:pw@cdn.example.com/v/a.mp4?X-Amz-Signature=abc&X-Amz-Credential=def end', KEY)).toBe('https://***@cdn.example.com/v/a.mp4?*** end');
	expect(redactText('{"video_url":"https:\\/\\/cdn.example.com\\/a.mp4?sig=1\\u0026token=2"}', KEY)).toBe('{"video_url":"https:\\/\\/cdn.example.com\\/a.mp4?***"}');
	expect(redactText('[play](https://cdn.example.com/a.mp4?t=9)', KEY)).toBe('[play](https://cdn.example.com/a.mp4?***)');
});
