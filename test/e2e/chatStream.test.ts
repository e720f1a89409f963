/**
 * Issue 13: chat with live progress. The example examples/sora-chat-progress.json (Chat Trigger with streaming
 * responses → Sora Chat Stream) runs in `n8n start`; a chat message posted to its webhook is answered as a stream in
 * which the person chatting sees the task id and the `progress: N%` lines while the video is being made, then the
 * video link. "While" is checked causally, not by the clock: when the first progress line reaches the client, the
 * sandbox's task has not finished yet, and the response goes on after it.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import type { ChatN8n } from './chatSupport';
import { activateChat, finishedExecutions, startChatN8n, streamChat } from './chatSupport';

jest.setTimeout(10 * 60_000);

const EXAMPLE = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'sora-chat-progress.json'), 'utf8'));
const WEBHOOK_ID: string = EXAMPLE.nodes.find((n: { type: string }) => n.type === '@n8n/n8n-nodes-langchain.chatTrigger').webhookId;

describe('Chat Trigger (streaming) → Sora Chat Stream in a running n8n: the example sora-chat-progress.json', () => {
	let chat: ChatN8n;
	let workflowId: string;

	beforeAll(async () => {
		chat = await startChatN8n({ sandbox: { sse: { progressIntervalMs: 200 } } });
		const nodes = EXAMPLE.nodes.map((node: { type: string }) => (node.type.startsWith('n8n-nodes-apertis-video.') ? { ...node, credentials: chat.apertis } : node));
		const workflow = await chat.n8n.createWorkflow({ name: EXAMPLE.name, nodes, connections: EXAMPLE.connections, settings: EXAMPLE.settings });
		workflowId = workflow.id;
		await activateChat(chat.n8n, workflowId, WEBHOOK_ID);
	});
	afterAll(async () => await chat?.cleanup());

	test('the person chatting sees the progress lines as they arrive, then the video link', async () => {
		const { sandbox, n8n } = chat;
		const prompt = 'A paper boat sailing down a mountain river [duration:4]';
		/** The sandbox's view of the task when each content line reached the client. */
		const statusWhenReceived: Array<{ content: string; taskStatus: string | undefined }> = [];
		const streamed = await streamChat(n8n, WEBHOOK_ID, prompt, {
			onChunk: (json) => {
				if (json.type === 'item') statusWhenReceived.push({ content: String(json.content), taskStatus: sandbox.tasks()[0]?.status });
			},
		});
		expect(streamed.status).toBe(200);

		// One chat request went to the API, with the chat message as the prompt.
		const [sora, ...others] = sandbox.requests().filter((r) => r.path === '/v1/chat/completions');
		expect(others).toHaveLength(0);
		expect(sora.body).toEqual({ model: 'sora-2', stream: true, messages: [{ role: 'user', content: prompt }] });
		const taskId = sora.taskId!;
		const videoUrl = `${sandbox.filesUrl}/files/${encodeURIComponent(taskId)}.mp4`;

		// What the person chatting reads: the task id, progress lines going up to 100 %, then the video link; framed
		// by the node's begin and end.
		const { chunks } = streamed;
		expect(chunks[0].json).toMatchObject({ type: 'begin', metadata: { nodeName: 'Sora Chat Stream' } });
		expect(chunks.at(-1)!.json).toMatchObject({ type: 'end', metadata: { nodeName: 'Sora Chat Stream' } });
		const items = chunks.filter((chunk) => chunk.json.type === 'item');
		const lines = items.map((chunk) => String(chunk.json.content));
		expect(lines[0]).toBe(`task_id: ${taskId}\n`);
		expect(lines.at(-1)).toBe(`video_url: ${videoUrl}\n`);
		const progress = lines.slice(1, -1).map((line) => Number(/^progress: (\d+)%\n$/.exec(line)?.[1]));
		expect(progress.every((value) => Number.isInteger(value))).toBe(true);
		expect(progress.filter((value) => value > 0 && value < 100).length).toBeGreaterThanOrEqual(3);
		expect([...progress].sort((a, b) => a - b)).toEqual(progress);
		expect(progress.at(-1)).toBe(100);

		// Live, not buffered: the first progress line under 100 % reached the client while the sandbox was still
		// making the video, in an earlier network read than the video link, and the response went on after it.
		const firstProgress = items.findIndex((chunk) => /^progress: \d+%/.test(String(chunk.json.content)) && !String(chunk.json.content).startsWith('progress: 100%'));
		expect(statusWhenReceived[firstProgress].taskStatus).toMatch(/^(pending|processing)$/);
		expect(statusWhenReceived.at(-1)).toEqual({ content: `video_url: ${videoUrl}\n`, taskStatus: 'completed' });
		expect(items[firstProgress].read).toBeLessThan(items.at(-1)!.read);
		expect(new Set(items.map((chunk) => chunk.read)).size).toBeGreaterThan(3);

		const [execution] = await finishedExecutions(n8n, workflowId);
		expect(execution.status).toBe('success');
		expect(execution.runData['Sora Chat Stream'][0].data.main[0][0].json).toEqual({ task_id: taskId, video_url: videoUrl, progress: 100, status: 'completed' });
	});
});
