import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { durationsOfKey } from '../../nodes/shared/poller/learnedDurations';
import { binaryBytes } from './harness/binary';
import { runWorkflow } from './harness/runWorkflow';
import type { Sandbox } from './harness/sandbox';
import { startSandbox } from './harness/sandbox';

jest.setTimeout(60_000);

let sandbox: Sandbox;
beforeAll(async () => (sandbox = await startSandbox({ durationMs: 1500, durationSpread: 0.5 })));
afterAll(async () => await sandbox.close());
beforeEach(() => {
	sandbox.reset();
	sandbox.configure({ rateLimitEvery: 0, serverErrorEvery: 0, retryAfterSeconds: 1 });
});

const credentials = () => ({ baseUrl: sandbox.url, apiKey: sandbox.apiKey });
const rows = (prompts: string[]) => JSON.stringify(prompts.map((prompt, row) => ({ json: { row, prompt } })));

/** Rows → Video Create → Wait Until Done. */
async function createAndWait(prompts: string[], wait: INodeParameters = {}, options: { continueOnFail?: boolean; cancelAfterMs?: number } = {}) {
	return await runWorkflow({
		nodes: [
			{ name: 'Rows', type: 'test.testItems', parameters: { items: rows(prompts) } },
			{ name: 'Create', type: 'apertisVideoCreate', parameters: { model: 'veo3', prompt: '={{ $json.prompt }}' } },
			{ name: 'Wait', type: 'apertisWaitUntilDone', parameters: { pollInterval: 30, timeout: 1, ...wait }, continueOnFail: options.continueOnFail },
		],
		credentials: credentials(),
		cancelAfterMs: options.cancelAfterMs,
	});
}

const idsOf = (items: Array<{ json: IDataObject }>) => items.map((item) => item.json.id);
const pairedOf = (items: Array<{ pairedItem?: unknown }>) => items.map((item) => (item.pairedItem as { item: number }).item);

describe('Wait Until Done through n8n-core against the sandbox', () => {
	test('50 tasks with spread-out durations are waited for at once and all complete', async () => {
		const startedAt = Date.now();
		const result = await createAndWait(Array.from({ length: 50 }, (_, i) => `Scene ${i}`), { pollOptions: { requestsPerSecond: 50 } });
		expect(result.error('Wait')).toBeUndefined();
		const completed = result.output('Wait', 0);
		expect(result.output('Wait', 1)).toEqual([]);
		expect(pairedOf(completed)).toEqual(Array.from({ length: 50 }, (_, i) => i));
		expect(completed.every((item) => item.json.status === 'completed' && String(item.json.video_url).includes('/files/'))).toBe(true);
		expect(idsOf(completed)).toEqual(idsOf(result.output('Create')));
		// All at once: waiting item after item would take the sum of the durations (over a minute); this is the slowest plus a little.
		const slowestDoneAt = Math.max(...sandbox.tasks().map((task) => task.doneAt as number));
		expect(result.finishedAt - slowestDoneAt).toBeLessThan(5000);
		expect(result.finishedAt - startedAt).toBeLessThan(20_000);
	});

	test('with a 429 every 5th request and a 500 every 7th poll, every item still ends in the right output', async () => {
		sandbox.configure({ rateLimitEvery: 5, serverErrorEvery: 7, retryAfterSeconds: 1 });
		const prompts = Array.from({ length: 12 }, (_, i) => (i % 4 === 3 ? `Scene ${i} [fail]` : `Scene ${i}`));
		const result = await createAndWait(prompts, { pollOptions: { requestsPerSecond: 20 } });
		expect(result.error('Create')).toBeUndefined();
		expect(result.error('Wait')).toBeUndefined();
		expect(pairedOf(result.output('Wait', 0))).toEqual([0, 1, 2, 4, 5, 6, 8, 9, 10]);
		expect(pairedOf(result.output('Wait', 1))).toEqual([3, 7, 11]);
		const faults = sandbox.requests().map((r) => r.fault).filter(Boolean);
		expect(faults).toEqual(expect.arrayContaining(['rateLimitEvery', 'serverErrorEvery']));
		// Creates are retried after a 429 only: exactly one accepted create per row.
		expect(sandbox.tasks()).toHaveLength(12);
	});

	test('a [fail] task and a never-finishing one go to Failed with their ids, last status and an error', async () => {
		const result = await createAndWait(['Fine', 'Broken [fail]', 'Endless [never]'], { timeout: 0.05 });
		const [fine, broken, endless] = idsOf(result.output('Create'));
		expect(idsOf(result.output('Wait', 0))).toEqual([fine]);
		const failed = result.output('Wait', 1);
		expect(failed.map((item) => item.json)).toEqual([
			expect.objectContaining({ id: broken, status: 'failed', error: expect.stringContaining(String(broken)) }),
			expect.objectContaining({ id: endless, status: 'processing', error: expect.stringMatching(/did not finish/) }),
		]);
		expect(pairedOf(failed)).toEqual([1, 2]);
	});

	test('a stopped execution ends its polling within a second and names the tasks', async () => {
		const result = await createAndWait(['Endless [never]', 'Also endless [never]'], { pollInterval: 30, timeout: 10 }, { cancelAfterMs: 2500 });
		expect(result.cancelledAt).toBeDefined();
		expect(result.finishedAt - result.cancelledAt!).toBeLessThan(1000);
		const lastRequest = Math.max(...sandbox.requests().map((r) => r.at));
		expect(lastRequest).toBeLessThan(result.cancelledAt! + 100);
		// The error names both tasks, and so does n8n's log (errors.ts stoppedWithTasks), where the ids outlive the execution.
		const ids = idsOf(result.output('Create')).map(String);
		const warned = result.logged.filter((entry) => entry.level === 'warn').map((entry) => entry.message);
		expect(warned).toEqual([expect.stringMatching(/^The execution was stopped while 2 tasks were still running\nWait: .*Task ids: /)]);
		for (const id of ids) {
			expect(result.error('Wait')?.description).toContain(id);
			expect(warned[0]).toContain(id);
		}
	});

	test('an item without a task id fails the node naming the item, or goes to Failed under Continue On Fail', async () => {
		const items = JSON.stringify([{ json: { id: { not: 'text' } } }, { json: {} }]);
		const run = (continueOnFail: boolean) =>
			runWorkflow({
				nodes: [
					{ name: 'Rows', type: 'test.testItems', parameters: { items } },
					{ name: 'Wait', type: 'apertisWaitUntilDone', parameters: {}, continueOnFail },
				],
				credentials: credentials(),
			});
		expect((await run(false)).error('Wait')?.message).toBe('Task ID is not text (got object) [item 0]');
		const failed = (await run(true)).output('Wait', 1);
		expect(failed.map((item) => item.json.error)).toEqual(['Task ID is not text (got object) [item 0]', 'Task ID is empty [item 1]']);
		expect(sandbox.requests()).toHaveLength(0);
	});

	test('an id of a shape the document does not show is asked about, not refused: unknown to the API, it leaves by Failed', async () => {
		const result = await runWorkflow({
			nodes: [
				{ name: 'Rows', type: 'test.testItems', parameters: { items: JSON.stringify([{ json: { id: 'task_01k9009g8ef1esae6388chgcpx' } }]) } },
				{ name: 'Wait', type: 'apertisWaitUntilDone', parameters: {} },
			],
			credentials: credentials(),
		});
		expect(result.output('Wait', 1).map((item) => [item.json.id, item.json.error])).toEqual([['task_01k9009g8ef1esae6388chgcpx', expect.stringContaining('was not found')]]);
		expect(sandbox.requests().map((r) => [r.path, r.query.id])).toEqual([['/v1/video/query', 'task_01k9009g8ef1esae6388chgcpx']]);
	});

	test('a task already generating at its first check still teaches its whole duration, dated by the create response', async () => {
		// 4 s tasks leave the queue after 0.4 s: the first check (1.5 s) finds them generating, so only the create
		// response's status_update_time tells when they began. Without it their model would learn nothing but generation
		// times, and windows of tasks seen queued would open late.
		sandbox.configure({ durationMs: 4000, durationSpread: 0 });
		const result = await runWorkflow({
			nodes: [
				{ name: 'Rows', type: 'test.testItems', parameters: { items: rows(['One', 'Two']) } },
				{ name: 'Create', type: 'apertisVideoCreate', parameters: { model: 'veo3-fast', prompt: '={{ $json.prompt }}' } },
				{ name: 'Wait', type: 'apertisWaitUntilDone', parameters: {} },
			],
			credentials: credentials(),
		});
		expect(result.output('Wait', 0)).toHaveLength(2);
		const firstChecks = sandbox.requests().filter((r) => r.method === 'GET').slice(0, 2);
		expect(firstChecks.map((r) => r.status)).toEqual([200, 200]);
		const { total } = durationsOfKey(sandbox.url, sandbox.apiKey).of('veo3-fast');
		expect(total).toHaveLength(2);
		// Whole-second timestamps: each within a second of the true 4 s.
		for (const ms of total) expect(Math.abs(ms - 4000)).toBeLessThanOrEqual(1000);
	});

	test('downloads videos of both id families, with the bytes the sandbox served', async () => {
		const png = readFileSync(join(__dirname, '..', 'fixtures', 'lake.png')).toString('base64');
		const result = await runWorkflow({
			nodes: [
				{ name: 'Upload', type: 'test.testItems', parameters: { items: JSON.stringify([{ json: {}, binary: { data: { base64: png, fileName: 'lake.png', mimeType: 'image/png' } } }]) } },
				{ name: 'From Image', type: 'apertisVideoFromImage', parameters: { model: 'veo_3_1', prompt: 'Waves', seconds: 5, size: '16x9' } },
				{ name: 'Create', type: 'apertisVideoCreate', parameters: { model: 'sora-2', prompt: 'Forest', imageUrls: ['https://images.example.com/a.jpg'] } },
				{ name: 'Wait', type: 'apertisWaitUntilDone', parameters: { taskId: "={{ $('From Image').item.json.id }}", downloadVideo: true, binaryPropertyName: 'video' } },
			],
			credentials: credentials(),
		});
		expect(result.error('Wait')).toBeUndefined();
		const [fromImage] = result.output('Wait', 0);
		expect(fromImage.json).toMatchObject({ status: 'completed', id: expect.stringMatching(/^video_/) });
		const bytes = await binaryBytes(fromImage, 'video');
		expect(createHash('sha256').update(bytes).digest('hex')).toBe(await sandbox.videoSha256(String(fromImage.json.id)));

		const sora = await runWorkflow({
			nodes: [
				{ name: 'Task', type: 'test.testItems', parameters: { items: JSON.stringify([{ json: { task_id: result.output('Create')[0].json.id } }]) } },
				{ name: 'Wait', type: 'apertisWaitUntilDone', parameters: { downloadVideo: true } },
			],
			credentials: credentials(),
		});
		const [soraItem] = sora.output('Wait', 0);
		expect(createHash('sha256').update(await binaryBytes(soraItem, 'data')).digest('hex')).toBe(await sandbox.videoSha256(String(soraItem.json.id)));
	});
});

describe('"Wait for Completion" on Video Create uses the same poller', () => {
	const run = (prompts: string[], continueOnFail = false) =>
		runWorkflow({
			nodes: [
				{ name: 'Rows', type: 'test.testItems', parameters: { items: rows(prompts) } },
				{ name: 'Create', type: 'apertisVideoCreate', parameters: { model: 'veo2', prompt: '={{ $json.prompt }}', waitForCompletion: true, timeout: 1, downloadVideo: true }, continueOnFail },
			],
			credentials: credentials(),
		});

	test('returns the finished tasks with their videos, in input order', async () => {
		const result = await run(['One', 'Two']);
		const items = result.output('Create');
		expect(items.map((item) => item.json.status)).toEqual(['completed', 'completed']);
		expect(items.map((item) => item.binary?.data?.mimeType)).toEqual(['video/mp4', 'video/mp4']);
		expect(pairedOf(items)).toEqual([0, 1]);
	});

	test('a failed task fails the node naming every task id; under Continue On Fail it becomes an item with its id', async () => {
		const failing = await run(['Good', 'Bad [fail]']);
		const error = failing.error('Create');
		expect(error?.message).toBe('1 of 2 video task(s) did not complete');
		for (const task of sandbox.tasks()) expect(error?.description).toContain(task.id);

		sandbox.reset();
		const kept = await run(['Good', 'Bad [fail]'], true);
		expect(kept.output('Create').map((item) => [item.json.status, typeof item.json.error])).toEqual([
			['completed', 'undefined'],
			['failed', 'string'],
		]);
		expect(kept.output('Create')[1].json.id).toBe(sandbox.tasks()[1].id);
	});
});

describe('Wait Until Done: durable hand-off (handOffAfter, Still Running)', () => {
	test('tasks still running after handOffAfter leave by Still Running with id, status, next_check_at and waiting_since', async () => {
		const before = Date.now();
		// Quick and Broken end at 0.5 s, before the first check: what the hand-off routes does not depend on the schedule.
		const result = await createAndWait(['Quick [duration:0.5]', 'Long [duration:30]', 'Broken [fail] [duration:0.5]'], { handOffAfter: 0.1, timeout: 5 });
		expect(result.error('Wait')).toBeUndefined();
		const [completed, failed, running] = [0, 1, 2].map((output) => result.output('Wait', output));
		expect(pairedOf(completed)).toEqual([0]);
		expect(pairedOf(failed)).toEqual([2]);
		expect(pairedOf(running)).toEqual([1]);
		const [item] = running;
		expect(item.json).toMatchObject({ id: result.output('Create')[1].json.id, status: expect.stringMatching(/^(pending|queued|processing|in_progress)$/) });
		const waitingSince = Date.parse(String(item.json.waiting_since));
		expect(waitingSince).toBeGreaterThanOrEqual(before);
		expect(waitingSince).toBeLessThanOrEqual(Date.now());
		// /v1/video/query reports no progress and the only peer finished long ago: checked again one window (6 s) on.
		const nextCheck = Date.parse(String(item.json.next_check_at));
		expect(nextCheck).toBeGreaterThan(Date.now() + 3000);
		expect(nextCheck).toBeLessThanOrEqual(Date.now() + 6000);
	});

	test('fed back in, a Still Running item is waited for again and its time-out counts from waiting_since', async () => {
		const created = await createAndWait(['Long [duration:2]', 'Endless [never]'], { handOffAfter: 0.02 });
		const running = created.output('Wait', 2);
		expect(running).toHaveLength(2);
		// The endless task began waiting 10 minutes ago: with a 10.05-minute time-out it has 3 s left, not 10 minutes.
		running[1].json.waiting_since = new Date(Date.now() - 10 * 60_000).toISOString();
		const startedAt = Date.now();
		const result = await runWorkflow({
			nodes: [
				{ name: 'Parked', type: 'test.testItems', parameters: { items: JSON.stringify(running.map(({ json }) => ({ json }))) } },
				{ name: 'Wait', type: 'apertisWaitUntilDone', parameters: { timeout: 10.05, handOffAfter: 5 } },
			],
			credentials: credentials(),
		});
		expect(result.output('Wait', 0).map((item) => item.json)).toEqual([expect.objectContaining({ id: running[0].json.id, status: 'completed' })]);
		expect(result.output('Wait', 1).map((item) => item.json)).toEqual([expect.objectContaining({ id: running[1].json.id, error: expect.stringContaining('did not finish within 10.1 minutes') })]);
		expect(result.output('Wait', 2)).toEqual([]);
		expect(Date.now() - startedAt).toBeLessThan(30_000);
		expect(sandbox.requests().filter((r) => r.method === 'POST')).toHaveLength(2);
	});

	test('with handOffAfter 0 the node has its two outputs and waits in memory', async () => {
		const result = await createAndWait(['Short [duration:1]']);
		expect(result.output('Wait', 0)).toHaveLength(1);
		expect(result.output('Wait', 2)).toEqual([]);
	});
});
