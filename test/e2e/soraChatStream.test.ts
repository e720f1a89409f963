/** Issue 4 in real n8n: Sora Chat Stream → Video Query completes against the sandbox, the video downloaded as binary. */
import { createHash } from 'crypto';
import { readFileSync } from 'fs';

import type { N8nEnv } from './lib';
import type { Sandbox } from '../inprocess/harness/sandbox';
import { chain, n8nWithSandbox, node } from './support';

jest.setTimeout(10 * 60_000);

describe('Sora Chat Stream → Video Query in real n8n', () => {
	let sandbox: Sandbox;
	let env: N8nEnv;
	let cleanup: (() => Promise<void>) | undefined;
	let filesDir: string;

	beforeAll(async () => {
		// Tiny chunks with CRLF and comments: the stream as a fussy proxy would deliver it.
		({ sandbox, env, filesDir, cleanup } = await n8nWithSandbox({ sandbox: { durationMs: 1500, sse: { chunkBytes: 7, lineEnding: '\r\n', comments: true, progressIntervalMs: 100 } } }));
		const nodes = [
			node('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
			node('Sora Chat Stream', 'apertisSoraChatStream', 1, { model: 'sora-2-pro', prompt: 'A paper boat on a river' }),
			node('Video Query', 'apertisVideoQuery', 2, { taskId: '={{ $json.task_id }}', downloadVideo: true }),
			node('Save Video', 'n8n-nodes-base.readWriteFile', 3, { operation: 'write', fileName: `=${filesDir}/{{ $binary.data.fileName }}`, options: {} }),
		];
		await env.importWorkflows([{ id: 'soraStreamQuery', name: 'Sora Chat Stream → Query', nodes, connections: chain(nodes.map((n) => n.name)) }]);
	});
	afterAll(async () => await cleanup?.());

	test('the stream yields the task, Query finds it completed, and the saved video has the served bytes', async () => {
		const run = await env.execute('soraStreamQuery');
		expect(run.error).toBeFalsy();
		const streamed = run.runData['Sora Chat Stream'][0].data!.main[0]![0].json;
		const taskId = sandbox.requests().find((r) => r.path === '/v1/chat/completions')!.taskId;
		expect(streamed).toEqual({ task_id: taskId, video_url: expect.stringContaining('/files/'), progress: 100, status: 'completed' });
		const queried = run.runData['Video Query'][0].data!.main[0]![0];
		expect(queried.json).toMatchObject({ id: taskId, status: 'completed' });
		expect(queried.binary?.data).toMatchObject({ mimeType: 'video/mp4' });
		const saved = String(run.runData['Save Video'][0].data!.main[0]![0].json.fileName);
		expect(createHash('sha256').update(readFileSync(saved)).digest('hex')).toBe(await sandbox.videoSha256(taskId!));
	});
});
