/**
 * Issue 6: every example workflow in examples/ runs in real n8n against the sandbox, the way the demo runs them
 * (scripts/examples.js), and what it produced is checked: the results CSV of the spreadsheet batch, the saved videos'
 * bytes, the form's completion page and the image the sandbox received.
 */
import { createHash } from 'crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { Sandbox } from '../inprocess/harness/sandbox';
import { startSandbox } from '../inprocess/harness/sandbox';
import type { ExampleResult } from '../../scripts/examples';
import { CHAT_INPUT, EXAMPLES_DIR, FIXTURES_DIR, FORM_INPUT, SANDBOX_TIMING, exampleFiles, itemsOf, parseCsv, runExamples } from '../../scripts/examples';
import { assertReady } from './support';

jest.setTimeout(10 * 60_000);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const SORA_NODE_BUILT = existsSync(join(__dirname, '..', '..', 'nodes', 'ApertisSoraChatStream'));
const FILES = exampleFiles().filter((file) => SORA_NODE_BUILT || file !== 'sora-stream.json');
/** Run twice on one folder: the write-back examples, whose second run must create only what the first did not. */
const RERUN = ['spreadsheet-batch.json', 'data-table-batch.json'];

describe('The example workflows in real n8n against the sandbox', () => {
	let sandbox: Sandbox;
	let outputRoot: string;
	let results: ExampleResult[] = [];
	/** The sandbox requests of each re-run example's two runs (they run one after the other). */
	const windows: Record<string, { from: number; to: number }> = {};

	beforeAll(async () => {
		assertReady();
		sandbox = await startSandbox(SANDBOX_TIMING);
		outputRoot = mkdtempSync(join(tmpdir(), 'apertis-examples-'));
		results = await runExamples({
			sandbox,
			outputRoot,
			files: FILES,
			runs: Object.fromEntries(RERUN.map((file) => [file, 2])),
			beforeRun: (example, runIndex) => {
				if (!RERUN.includes(example.file)) return;
				// The first run's quota covers 2 creates, then 402: the run stops creating part-way, as a crash would,
				// with 2 tasks paid for. The second run (quota topped up) must create only the other rows.
				if (runIndex === 0) windows[example.file] = { from: sandbox.requests().length, to: Infinity };
				sandbox.configure({ quota: runIndex === 0 ? sandbox.tasks().length + 2 : null });
			},
			onResult: (result) => {
				if (RERUN.includes(result.file) && result.runIndex === 1) windows[result.file].to = sandbox.requests().length;
			},
		});
	});
	afterAll(async () => {
		await sandbox?.close();
		if (outputRoot) rmSync(outputRoot, { recursive: true, force: true });
	});

	/** The example's result; of a re-run example, its last run (runIndex picks another). */
	function resultOf(file: string, runIndex?: number): ExampleResult {
		const result = results.filter((r) => r.file === file && (runIndex === undefined || r.runIndex === runIndex)).at(-1);
		if (!result) throw new Error(`${file} did not run`);
		if (!result.ok) throw new Error(`${file} failed: ${JSON.stringify(result.run.error ?? result.run.status)}`);
		return result;
	}
	const tasksWithPrompt = (prompt: string) => sandbox.tasks().filter((task) => task.prompt === prompt);
	const fileUrlOf = (id: string) => `${sandbox.filesUrl}/files/${encodeURIComponent(id)}.mp4`;
	async function expectServedVideo(file: string, taskId: string) {
		expect(sha256(readFileSync(file))).toBe(await sandbox.videoSha256(taskId));
	}

	test('every example file ran and succeeded, each with explicit 16-character ids', () => {
		expect(results.map((r) => r.file).sort()).toEqual([...FILES, ...RERUN].sort());
		for (const result of results) {
			expect({ file: result.file, ok: result.ok, error: result.run.error }).toEqual({ file: result.file, ok: true, error: undefined });
			expect(result.workflow.id).toMatch(/^[A-Za-z0-9]{16}$/);
		}
	});

	/**
	 * A write-back example run twice: the first run's quota ran out after 2 creates (402; the node goes on, On Error:
	 * Continue), the second found the 2 recorded ids and created only the other rows. Checked: what each run created
	 * and reused, where the ids were recorded, results.csv, and the sandbox's accepted creates: one per prompt.
	 */
	function expectResumedBatch(file: string, recordedIds: (folder: string, run: ExampleResult['run']) => Record<string, string>) {
		const first = resultOf(file, 0);
		const { folder, summary, run } = resultOf(file, 1);
		const prompts = parseCsv(readFileSync(join(EXAMPLES_DIR, 'data', 'prompts.csv'), 'utf8'));
		expect(prompts.length).toBeGreaterThanOrEqual(3);
		expect(new Set(prompts.map((p) => p.model)).size).toBeGreaterThan(1);
		const requests = sandbox.requests().slice(windows[file].from, windows[file].to);
		const accepted = requests.filter((r) => r.path === '/v1/video/create' && r.status === 200);
		const refused = requests.filter((r) => r.path === '/v1/video/create' && r.status === 402);
		// Exactly one paid create per prompt over both runs; the 402s created nothing.
		expect(accepted.map((r) => r.body?.prompt).sort()).toEqual(prompts.map((p) => p.prompt).sort());
		expect(refused.length).toBeGreaterThanOrEqual(1);
		const idOf = Object.fromEntries(accepted.map((r) => [r.body?.prompt, r.taskId!]));

		// First run: 2 created, the rest "not created" in results (its results.csv is replaced by the second run's).
		const firstCreates = itemsOf(first.run, 'Video Create');
		const createdFirst = firstCreates.filter((i) => i.json.id).map((i) => i.json.id);
		expect(createdFirst).toHaveLength(2);
		expect(firstCreates.filter((i) => !i.json.id).map((i) => i.json.error)).toEqual(prompts.slice(2).map(() => 'Your Apertis quota is exhausted'));
		// The creates go out side by side: which 2 the quota let through (the [fail] row among them, or not) varies.
		const failedFirst = firstCreates.filter((i) => i.json.id && String(i.json.enhanced_prompt).includes('[fail]')).length;
		expect(first.summary).toMatchObject({ items: prompts.length, completed: 2 - failedFirst, failed: failedFirst });
		// Second run: those 2 reused (no request), the others created.
		const secondCreates = itemsOf(run, 'Video Create');
		expect(secondCreates.filter((i) => i.json.reused).map((i) => i.json.id).sort()).toEqual([...createdFirst].sort());
		expect(secondCreates.filter((i) => !i.json.reused).map((i) => i.json.id).sort()).toEqual(
			Object.values(idOf).filter((id) => !createdFirst.includes(id)).sort(),
		);
		// Every prompt's id is recorded where the next run reads it.
		expect(recordedIds(folder, run)).toEqual(idOf);

		const rows = parseCsv(readFileSync(join(folder, 'results.csv'), 'utf8'));
		expect(rows.map((row) => row.prompt).sort()).toEqual(prompts.map((p) => p.prompt).sort());
		expect(summary).toMatchObject({ items: prompts.length, completed: prompts.length - 1, failed: 1 });
		expect(summary.files).toContain(join(folder, 'results.csv'));
		for (const row of rows) {
			const input = prompts.find((p) => p.prompt === row.prompt)!;
			const task = sandbox.tasks().find((t) => t.id === idOf[row.prompt])!;
			expect(row).toMatchObject({ model: input.model, id: task.id });
			expect(task).toMatchObject({ model: input.model, prompt: row.prompt });
			expect(row.id).toMatch(new RegExp(`^${input.model.replace('.', '\\.')}:\\d{10}-[a-z]{8}$`));
			if (row.prompt.includes('[fail]')) {
				expect(row).toMatchObject({ status: 'failed', video_url: '' });
				expect(row.error).toContain(row.id);
			} else {
				expect(row).toMatchObject({ status: 'completed', video_url: fileUrlOf(row.id), error: '' });
			}
		}
	}

	test('spreadsheet batch, run twice with the quota running out after 2 creates in the first: the task ids written back to prompts.csv are reused, one create per prompt; results.csv has every row, the [fail] one failed with its id', () => {
		expectResumedBatch('spreadsheet-batch.json', (folder, run) => {
			const sheet = parseCsv(readFileSync(join(folder, 'prompts.csv'), 'utf8'));
			expect(itemsOf(run, 'Write Task IDs to Sheet')).toHaveLength(1);
			expect(Object.keys(sheet[0])).toEqual(['prompt', 'model', 'task_id']);
			return Object.fromEntries(sheet.map((row) => [row.prompt, row.task_id]));
		});
	});

	test('Data Table batch, run the same way: the ids recorded in the Data Table are reused, one create per prompt', () => {
		expectResumedBatch('data-table-batch.json', (_folder, run) => {
			// The table as the second run read it at its start held the first run's 2 rows; its upserts then hold all.
			expect(itemsOf(resultOf('data-table-batch.json', 1).run, 'Recorded Tasks')).toHaveLength(2);
			expect(itemsOf(resultOf('data-table-batch.json', 0).run, 'Recorded Tasks')).toHaveLength(0);
			return Object.fromEntries(itemsOf(run, 'Record Task').map((i) => [i.json.prompt, i.json.task_id]));
		});
	});

	test('schedule: one video per prompt of the list is saved under videos/, each with the bytes the sandbox served', async () => {
		const { folder, run, workflow, summary } = resultOf('scheduled-videos.json');
		const settings = workflow.nodes.find((n) => n.name === 'Settings')!.parameters.assignments.assignments;
		const prompts: string[] = JSON.parse(settings.find((a: { name: string }) => a.name === 'prompts').value);
		const model: string = settings.find((a: { name: string }) => a.name === 'model').value;
		expect(prompts.length).toBeGreaterThanOrEqual(2);
		const saved = readdirSync(join(folder, 'videos')).filter((f) => f.endsWith('.mp4'));
		expect(saved).toHaveLength(prompts.length);
		expect(summary).toMatchObject({ items: prompts.length, completed: prompts.length, failed: 0, videosDir: join(folder, 'videos') });
		const done = itemsOf(run, 'Wait Until Done', 0);
		expect(done.map((item) => item.binary?.data?.fileName).sort()).toEqual([...saved].sort());
		for (const prompt of prompts) {
			const [task] = tasksWithPrompt(prompt);
			expect(task).toMatchObject({ model, status: 'completed' });
			const item = done.find((i) => i.json.id === task.id)!;
			expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4' });
			await expectServedVideo(join(folder, 'videos', item.binary!.data.fileName), task.id);
		}
		expect(workflow.nodes.map((n) => n.type)).toEqual(expect.arrayContaining(['n8n-nodes-base.scheduleTrigger', 'n8n-nodes-base.manualTrigger']));
	});

	test('form: posting an image and a prompt shows the video link on the completion page; the sandbox got exactly that image', () => {
		const { run, page } = resultOf('form-image-to-video.json');
		const image = readFileSync(join(FIXTURES_DIR, FORM_INPUT.image));
		const uploads = sandbox.requests().filter((r) => r.path === '/v1/videos');
		expect(uploads).toHaveLength(1);
		expect(uploads[0].body).toMatchObject({
			fields: { prompt: FORM_INPUT.prompt },
			files: [{ field: 'input_reference', filename: FORM_INPUT.image, contentType: FORM_INPUT.mimeType, size: image.length, sha256: sha256(image) }],
		});
		const [done] = itemsOf(run, 'Wait Until Done', 0);
		expect(done.json).toMatchObject({ id: uploads[0].taskId, status: 'completed', video_url: fileUrlOf(uploads[0].taskId!) });
		expect(page).toContain('Your video is ready');
		expect(page).toContain(`href="${done.json.video_url}"`);
		expect(run.runData['Video Failed']).toBeUndefined();
	});

	if (!SORA_NODE_BUILT) test.todo('Sora stream example (the Sora Chat Stream node is not in nodes/ yet)');
	else test('Sora stream: the streamed task completes and its video is saved with the served bytes', async () => {
		const { folder, run } = resultOf('sora-stream.json');
		const [streamed] = itemsOf(run, 'Sora Chat Stream');
		expect(streamed.json).toMatchObject({ status: 'completed', progress: 100, video_url: fileUrlOf(streamed.json.task_id) });
		// Sora chats of this example: not the chat example's message, not the agent example's scripted model.
		const chat = sandbox.requests().filter((r) => r.path === '/v1/chat/completions' && r.body?.model !== 'sandbox-agent' && r.body?.messages?.[0]?.content !== CHAT_INPUT['sora-chat-progress.json'].message);
		expect(chat.map((r) => r.taskId)).toEqual([streamed.json.task_id]);
		expect(chat[0].body).toMatchObject({ model: 'sora-2', stream: true });
		const [saved] = itemsOf(run, 'Save Video');
		expect(saved.json.fileName).toBe(join(folder, 'videos', streamed.binary!.data.fileName));
		await expectServedVideo(saved.json.fileName, streamed.json.task_id);
	});

	test('Sora chat progress: the chat reply streams the task id, progress lines and then the video link', () => {
		const { run, reply } = resultOf('sora-chat-progress.json');
		const { message } = CHAT_INPUT['sora-chat-progress.json'];
		const chat = sandbox.requests().filter((r) => r.path === '/v1/chat/completions' && r.body?.messages?.[0]?.content === message);
		expect(chat).toHaveLength(1);
		expect(chat[0].body).toEqual({ model: 'sora-2', stream: true, messages: [{ role: 'user', content: message }] });
		const taskId = chat[0].taskId!;
		const lines = reply!.trimEnd().split('\n');
		expect(lines[0]).toBe(`task_id: ${taskId}`);
		expect(lines.slice(1, -1).every((line) => /^progress: \d+%$/.test(line))).toBe(true);
		expect(lines.slice(1, -1).length).toBeGreaterThanOrEqual(2);
		expect(lines.at(-1)).toBe(`video_url: ${fileUrlOf(taskId)}`);
		expect(itemsOf(run, 'Sora Chat Stream')[0].json).toMatchObject({ task_id: taskId, status: 'completed' });
	});

	test('agent: the AI agent makes the video with Video Create and Wait Until Done, and answers with its link', () => {
		const { reply } = resultOf('agent-video.json');
		const script = CHAT_INPUT['agent-video.json'].script as Array<{ toolCalls?: Array<{ arguments: Record<string, string> }> }>;
		const asked = script[0].toolCalls![0].arguments;
		const [task] = tasksWithPrompt(asked.prompt);
		expect(task).toMatchObject({ model: asked.model, status: 'completed' });
		const creates = sandbox.requests().filter((r) => r.path === '/v1/video/create' && r.taskId === task.id);
		expect(creates).toHaveLength(1);
		expect(creates[0].body).toMatchObject({ model: asked.model, prompt: asked.prompt });
		const results = sandbox.chatCalls().at(-1)!.toolResults;
		expect(results.map((r) => r.name)).toEqual(['Video_Create', 'Wait_Until_Done']);
		expect(results[1].json).toEqual([expect.objectContaining({ id: task.id, status: 'completed', video_url: fileUrlOf(task.id) })]);
		expect(reply).toBe(`Your video is ready: ${fileUrlOf(task.id)}`);
	});

	test('create then query: the queried video is saved with the served bytes', async () => {
		const { run } = resultOf('create-then-query.json');
		const [created] = itemsOf(run, 'Video Create');
		const [saved] = itemsOf(run, 'Save Video');
		expect(itemsOf(run, 'Video Query')[0].json).toMatchObject({ id: created.json.id, status: 'completed' });
		await expectServedVideo(saved.json.fileName, created.json.id);
	});
});
