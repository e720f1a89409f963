/**
 * Issue 11 in real n8n: the example's hand-off loop (Wait Until Done → Still Running → n8n's Wait node → back)
 * runs until every task has left by Completed, with one create per prompt and the served videos saved.
 */
import { createHash } from 'crypto';
import { mkdirSync, readFileSync } from 'fs';
import { join } from 'path';

import type { N8nEnv } from './lib';
import type { Sandbox } from '../inprocess/harness/sandbox';
import { n8nWithSandbox, PACKAGE, SANDBOX_CREDENTIAL } from './support';

jest.setTimeout(10 * 60_000);

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'durable-wait.json');

describe('The hand-off loop of examples/durable-wait.json (n8n execute)', () => {
	let sandbox: Sandbox;
	let env: N8nEnv;
	let filesDir: string;
	let cleanup: (() => Promise<void>) | undefined;

	beforeAll(async () => {
		// 8–12 s tasks and a 3 s hand-off window: every task is handed off at least once.
		({ sandbox, env, filesDir, cleanup } = await n8nWithSandbox({ sandbox: { durationMs: 10_000, durationSpread: 0.2 } }));
		mkdirSync(join(filesDir, 'videos'));
		const workflow = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
		for (const node of workflow.nodes) {
			if (node.type.startsWith(`${PACKAGE}.`)) node.credentials = { apertisApi: { id: SANDBOX_CREDENTIAL, name: SANDBOX_CREDENTIAL } };
			if (node.name === 'Settings') node.parameters.assignments.assignments[0].value = filesDir;
			if (node.name === 'Wait Until Done') node.parameters.handOffAfter = 0.05;
		}
		await env.importWorkflows([workflow]);
	});
	afterAll(async () => await cleanup?.());

	test('tasks pass through Still Running and the Wait node until they complete; one create each; videos saved', async () => {
		const run = await env.execute('apertisDurableWt', { timeoutMs: 5 * 60_000 });
		expect(run.error).toBeFalsy();
		const passes = run.runData['Wait Until Done'];
		expect(passes.length).toBeGreaterThanOrEqual(2);
		expect(run.runData['Wait for Next Check'].length).toBe(passes.length - 1);
		const [firstCompleted, firstFailed, firstRunning] = passes[0].data!.main;
		expect(firstCompleted).toEqual([]);
		expect(firstFailed).toEqual([]);
		for (const item of firstRunning!) {
			expect(item.json).toMatchObject({ id: expect.any(String), waiting_since: expect.any(String), next_check_at: expect.any(String) });
		}
		const completed = passes.flatMap((pass) => pass.data!.main[0]!);
		const failed = passes.flatMap((pass) => pass.data!.main[1]!);
		expect(failed).toEqual([]);
		const creates = sandbox.requests().filter((r) => r.method === 'POST' && r.path === '/v1/video/create');
		expect(creates).toHaveLength(2);
		expect(completed.map((item) => item.json.id).sort()).toEqual(sandbox.tasks().map((task) => task.id).sort());
		// The last pass has nothing left running.
		expect(passes.at(-1)!.data!.main[2]).toEqual([]);
		const saved = run.runData['Save Video'].flatMap((pass) => pass.data!.main[0]!);
		expect(saved).toHaveLength(2);
		for (const item of saved) {
			const task = completed.find((c) => String(item.json.fileName).endsWith(String(c.binary!.data.fileName)))!;
			const bytes = readFileSync(String(item.json.fileName));
			expect(createHash('sha256').update(bytes).digest('hex')).toBe(await sandbox.videoSha256(String(task.json.id)));
		}
	});
});
