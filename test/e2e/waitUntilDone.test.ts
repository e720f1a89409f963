/**
 * Issue 5 in real n8n: 50 tasks waited for at once through faults (429 every 5th request, 500 every 7th poll), a
 * [fail] task and a never-finishing one routed to Failed with their ids, videos written to disk with the bytes
 * the sandbox served. (Stop and Retry execution in a running n8n: stopAndRetry.test.ts.)
 */
import { createHash } from 'crypto';
import { readFileSync } from 'fs';

import type { N8nEnv } from './lib';
import type { Sandbox } from '../inprocess/harness/sandbox';
import { chain, n8nWithSandbox, node } from './support';

jest.setTimeout(10 * 60_000);

const ROWS = 50;
const promptOf = (row: number) => (row === 10 || row === 20 ? `Scene ${row} [fail]` : row === 30 ? `Scene ${row} [never]` : `Scene ${row}`);

/** Prompts as items, made by n8n's own Set + Split Out nodes (no Code node, no task runner needed). */
function promptRows(index: number) {
	const prompts = Array.from({ length: ROWS }, (_, row) => ({ row, prompt: promptOf(row) }));
	return [
		node('Prompts', 'n8n-nodes-base.set', index, { mode: 'raw', jsonOutput: JSON.stringify({ rows: prompts }), options: {} }, { typeVersion: 3.4 }),
		node('Rows', 'n8n-nodes-base.splitOut', index + 1, { fieldToSplitOut: 'rows', options: {} }),
	];
}

describe('Video Create → Wait Until Done in real n8n (n8n execute)', () => {
	let sandbox: Sandbox;
	let env: N8nEnv;
	let cleanup: (() => Promise<void>) | undefined;
	let filesDir: string;

	beforeAll(async () => {
		({ sandbox, env, filesDir, cleanup } = await n8nWithSandbox({ sandbox: { durationMs: 2000, durationSpread: 0.5, rateLimitEvery: 5, serverErrorEvery: 7, retryAfterSeconds: 1 } }));
		const nodes = [
			node('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
			...promptRows(1),
			node('Video Create', 'apertisVideoCreate', 3, { model: 'veo3-fast', prompt: '={{ $json.prompt }}' }),
			node('Wait Until Done', 'apertisWaitUntilDone', 4, { timeout: 0.75, downloadVideo: true, pollOptions: { requestsPerSecond: 20 } }),
			node('Save Videos', 'n8n-nodes-base.readWriteFile', 5, { operation: 'write', fileName: `=${filesDir}/{{ $binary.data.fileName }}`, options: {} }),
		];
		await env.importWorkflows([{ id: 'waitUntilDone50', name: 'Create 50 → Wait Until Done', nodes, connections: chain(nodes.map((n) => n.name)) }]);
	});
	afterAll(async () => await cleanup?.());

	test('50 tasks through faults: completed ones are saved with the served bytes, [fail] and [never] leave by Failed with their ids', async () => {
		const run = await env.execute('waitUntilDone50', { timeoutMs: 5 * 60_000 });
		expect(run.error).toBeFalsy();
		const outputs = run.runData['Wait Until Done'][0].data!.main;
		const completed = outputs[0]!;
		const failed = outputs[1]!;
		const rowOf = (item: { json: Record<string, any> }) => Number(/Scene (\d+)/.exec(String(item.json.enhanced_prompt))?.[1]);
		expect(completed.map(rowOf)).toEqual(Array.from({ length: ROWS }, (_, row) => row).filter((row) => ![10, 20, 30].includes(row)));
		expect(failed.map((item) => [rowOf(item), item.json.status])).toEqual([
			[10, 'failed'],
			[20, 'failed'],
			[30, 'processing'],
		]);
		const tasks = sandbox.tasks();
		for (const item of failed) {
			expect(tasks.map((task) => task.id)).toContain(item.json.id);
			expect(item.json.error).toContain(item.json.id);
		}
		// Every row was created exactly once, though 429s and 500s hit along the way.
		expect(tasks).toHaveLength(ROWS);
		const faults = new Set(sandbox.requests().map((r) => r.fault).filter(Boolean));
		expect([...faults].sort()).toEqual(['rateLimitEvery', 'serverErrorEvery']);

		const saved = run.runData['Save Videos'][0].data!.main[0]!;
		expect(saved).toHaveLength(ROWS - 3);
		for (const item of saved.slice(0, 5)) {
			const bytes = readFileSync(String(item.json.fileName));
			const id = String(completed.find((c) => String(item.json.fileName).endsWith(String(c.binary!.data.fileName)))!.json.id);
			expect(createHash('sha256').update(bytes).digest('hex')).toBe(await sandbox.videoSha256(id));
		}
	});
});
