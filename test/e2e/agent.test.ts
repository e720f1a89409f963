/**
 * Issue 13: n8n's AI Agent drives this package's nodes as tools, in real n8n against the sandbox. The sandbox's
 * scripted chat model stands in for the LLM behind n8n's OpenAI Chat Model node (its credential's Base URL is the
 * sandbox's /v1): the test decides which tool calls the "model" makes, then checks what the sandbox received, what each
 * tool returned to the agent (the tool messages the agent sent back to the model) and the agent's final answer.
 *
 * The workflow is the one a user builds in the editor: Chat Trigger (public, embedded) → AI Agent, with the OpenAI
 * Chat Model and the package's nodes attached as tools (their `…Tool` variants, parameters filled by `$fromAI`).
 * Agent 3.1 is what n8n 2.41.1 adds to a new workflow (tool calls run as engine requests); Agent 2.2 (workflows made
 * before n8n 2) runs tools through LangChain's executor, and reports a tool's error to the model differently.
 */
import type { ChatN8n } from './chatSupport';
import { activateChat, agentConnections, aiAgent, apertisTool, chatTrigger, finishedExecutions, fromAI, openAiChatModel, sendChat, startChatN8n } from './chatSupport';

jest.setTimeout(10 * 60_000);

const SORA_REFERENCE = 'https://images.example.com/reference.jpg';
const AGENTS = [
	{ version: 3.1, webhookId: 'a9e3c1d2-0000-4000-8000-000000013031' },
	{ version: 2.2, webhookId: 'a9e3c1d2-0000-4000-8000-000000013022' },
];

/** The tools the agent gets: Video Create (model and prompt from the model), a Sora 2 Video Create (duration from the model), Wait Until Done, Video Query. */
function agentWorkflow(chat: ChatN8n, agentVersion: number, webhookId: string) {
	const { apertis, openAi } = chat;
	const tools = [
		apertisTool('Video Create', 'apertisVideoCreate', 0, { model: fromAI('model', 'The video model id, e.g. veo3'), prompt: fromAI('prompt', 'What the video should show') }, apertis),
		apertisTool('Sora Video Create', 'apertisVideoCreate', 1, { model: 'sora-2', prompt: fromAI('prompt', 'What the video should show'), imageUrls: SORA_REFERENCE, duration: fromAI('duration', 'Video length in seconds', 'number') }, apertis),
		apertisTool('Wait Until Done', 'apertisWaitUntilDone', 2, { taskId: fromAI('taskId', 'The task id (id) a Video Create call returned'), pollInterval: 5, timeout: 2 }, apertis),
		apertisTool('Video Query', 'apertisVideoQuery', 3, { taskId: fromAI('taskId', 'The task id (id) a Video Create call returned') }, apertis),
	];
	const trigger = chatTrigger(webhookId, 'lastNode');
	const agent = aiAgent({ typeVersion: agentVersion, systemMessage: 'You make videos with the Apertis tools.' });
	const model = openAiChatModel(openAi);
	return {
		name: `Agent ${agentVersion} with Apertis tools`,
		nodes: [trigger, agent, model, ...tools],
		connections: agentConnections(trigger.name, agent.name, model.name, tools.map((tool) => tool.name)),
		settings: { executionOrder: 'v1' },
	};
}

describe('AI Agent with the Apertis nodes as tools, in real n8n', () => {
	let chat: ChatN8n;
	const workflowIds: Record<number, string> = {};

	beforeAll(async () => {
		chat = await startChatN8n({ sandbox: { durationMs: 1000 } });
		for (const { version, webhookId } of AGENTS) {
			const workflow = await chat.n8n.createWorkflow(agentWorkflow(chat, version, webhookId));
			workflowIds[version] = workflow.id;
			await activateChat(chat.n8n, workflow.id, webhookId);
		}
	});
	afterAll(async () => await chat?.cleanup());
	beforeEach(() => chat.sandbox.reset());

	/** Runs one conversation under a script; returns the answer, the calls the model got, and the tool results of the last call. */
	async function converse(agentVersion: number, chatScript: unknown[], message: string) {
		const { sandbox, n8n } = chat;
		sandbox.configure({ chatScript });
		const webhookId = AGENTS.find((agent) => agent.version === agentVersion)!.webhookId;
		const answer = await sendChat(n8n, webhookId, message);
		const calls = sandbox.chatCalls();
		return { answer, calls, toolResults: calls.at(-1)?.toolResults ?? [] };
	}

	const creates = () => chat.sandbox.requests().filter((r) => ['/v1/video/create', '/v1/videos'].includes(r.path) || (r.path === '/v1/chat/completions' && r.body?.model !== 'sandbox-agent'));

	test('the model is offered each tool with its description and the $fromAI parameters', async () => {
		const { calls } = await converse(3.1, [{ text: 'Hello' }], 'What can you do?');
		expect(calls).toHaveLength(1);
		const offered = Object.fromEntries(calls[0].tools.map((tool) => [tool.name, tool]));
		expect(Object.keys(offered).sort()).toEqual(['Sora_Video_Create', 'Video_Create', 'Video_Query', 'Wait_Until_Done']);
		const nodeTypes = await chat.n8n.nodeTypes();
		const descriptionOf = (name: string) => nodeTypes.find((type) => type.name === `n8n-nodes-apertis-video.${name}`)?.description;
		expect(offered.Video_Create.description).toBe(descriptionOf('apertisVideoCreateTool'));
		expect(offered.Wait_Until_Done.description).toBe(descriptionOf('apertisWaitUntilDoneTool'));
		expect(offered.Video_Query.description).toBe(descriptionOf('apertisVideoQueryTool'));
		// What a model needs from a description: what the tool wants, what comes back, and how long a call may wait.
		expect(offered.Video_Create.description).toMatch(/\bprompt\b/i);
		expect(offered.Video_Create.description).toMatch(/task id/i);
		expect(offered.Video_Create.description).toMatch(/Wait Until Done|Video Query/);
		expect(offered.Wait_Until_Done.description).toMatch(/task id/i);
		expect(offered.Wait_Until_Done.description).toMatch(/video_url/);
		expect(offered.Wait_Until_Done.description).toMatch(/timeout[^.]*\d+ minutes/i);
		expect(offered.Video_Query.description).toMatch(/status/i);
		expect(offered.Video_Query.description).toMatch(/video_url/);
		expect(offered.Video_Create.parameters).toMatchObject({
			type: 'object',
			properties: { model: { type: 'string', description: 'The video model id, e.g. veo3' }, prompt: { type: 'string', description: 'What the video should show' } },
			required: expect.arrayContaining(['model', 'prompt']),
		});
		expect(offered.Sora_Video_Create.parameters.properties).toEqual({ prompt: expect.any(Object), duration: { type: 'number', description: 'Video length in seconds' } });
		expect(offered.Wait_Until_Done.parameters.properties).toEqual({ taskId: { type: 'string', description: 'The task id (id) a Video Create call returned' } });
		expect(creates()).toHaveLength(0);
	});

	test('create → wait until done → query: the arguments become the create request, each tool returns the task, the answer has the video link', async () => {
		const prompt = 'A lighthouse in a storm at night [duration:1]';
		const { answer, calls, toolResults } = await converse(
			3.1,
			[
				{ toolCalls: [{ tool: 'Video Create', arguments: { prompt, model: 'veo3' } }] },
				{ toolCalls: [{ tool: 'Wait Until Done', arguments: { taskId: '{{result.id}}' } }] },
				{ toolCalls: [{ tool: 'Video Query', arguments: { taskId: '{{result.id}}' } }] },
				{ text: 'Your video is ready: {{result.video_url}}' },
			],
			'Make a video of a lighthouse in a storm with veo3',
		);

		// What the sandbox received: exactly one paid request, built from the model's arguments.
		const [create, ...more] = creates();
		expect(more).toHaveLength(0);
		expect(create).toMatchObject({ method: 'POST', path: '/v1/video/create', status: 200, body: { model: 'veo3', prompt } });
		const taskId = create.taskId!;
		const videoUrl = `${chat.sandbox.filesUrl}/files/${encodeURIComponent(taskId)}.mp4`;

		// What the tools returned to the agent, turn by turn.
		expect(calls.map((call) => call.turn)).toEqual([0, 1, 2, 3]);
		expect(toolResults.map((result) => result.name)).toEqual(['Video_Create', 'Wait_Until_Done', 'Video_Query']);
		expect(toolResults[0].json).toEqual([expect.objectContaining({ id: taskId, status: 'pending' })]);
		expect(toolResults[1].json).toEqual([expect.objectContaining({ id: taskId, status: 'completed', video_url: videoUrl })]);
		expect(toolResults[2].json).toEqual([expect.objectContaining({ id: taskId, status: 'completed', video_url: videoUrl })]);
		expect(chat.sandbox.requests().filter((r) => r.path === '/v1/video/query').every((r) => r.taskId === taskId)).toBe(true);

		// The agent's final answer, as the chat caller gets it.
		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({ output: `Your video is ready: ${videoUrl}` });
		const [execution] = await finishedExecutions(chat.n8n, workflowIds[3.1]);
		expect(execution.status).toBe('success');
		expect(Object.keys(execution.runData)).toEqual(expect.arrayContaining(['Video Create', 'Wait Until Done', 'Video Query']));
	});

	describe.each(AGENTS.map((agent) => agent.version))('bad arguments from the model (Agent %s)', (agentVersion) => {
		let toolResults: Awaited<ReturnType<typeof converse>>['toolResults'];
		let answer: Awaited<ReturnType<typeof converse>>['answer'];
		let paidRequests: number;
		let tasks: number;

		beforeAll(async () => {
			chat.sandbox.reset();
			({ answer, toolResults } = await converse(
				agentVersion,
				[
					{ toolCalls: [{ tool: 'Video Create', arguments: { prompt: 'A lake at dawn', model: 'veo9' } }] },
					{ toolCalls: [{ tool: 'Sora Video Create', arguments: { prompt: 'A lake at dawn', duration: 15 } }] },
					{ text: 'I could not make the video.' },
				],
				'Make a video of a lake at dawn',
			));
			paidRequests = creates().length;
			tasks = chat.sandbox.tasks().length;
		});

		test('no paid request reaches the API, the conversation goes on to the final answer', () => {
			expect(paidRequests).toBe(0);
			expect(tasks).toBe(0);
			expect(toolResults.map((result) => result.name)).toEqual(['Video_Create', 'Sora_Video_Create']);
			expect(answer.json).toEqual({ output: 'I could not make the video.' });
		});

		// A tool's validation error must reach the model as a message naming the parameter and what it takes. Of a
		// thrown error, n8n 2.41.1 gives the model only the message with Agent 3.x
		// ([{"error":"Model \"veo9\" is not a Video Create model [item 0]"}]) and an EMPTY tool result with Agent 2.x,
		// so as a tool (node type …Tool) the nodes return the error as an item (error + errorDescription).
		test('an unknown model comes back to the agent as a clear error naming the parameter and the models it takes', () => {
			const { content } = toolResults[0];
			expect(content).toMatch(/veo9/);
			expect(content).toMatch(/\bmodel\b/i);
			expect(content).toMatch(/veo3\b/);
			expect(content).toMatch(/sora-2-pro/);
		});

		test('a Sora duration the model does not take comes back as a clear error naming the duration it takes', () => {
			const { content } = toolResults[1];
			expect(content).toMatch(/\bduration\b/i);
			expect(content).toMatch(/\b15\b/);
			expect(content).toMatch(/\b10\b/);
		});
	});

	// n8n hands only a tool's first output to the model: a failed task on Wait Until Done's Failed output came back
	// empty ("" with Agent 3.x, "[]" with 2.x). As a tool, Wait Until Done reports every task on its first output.
	test('a task that fails comes back from Wait Until Done to the agent with its id, status failed and the reason', async () => {
		const { toolResults } = await converse(
			3.1,
			[
				{ toolCalls: [{ tool: 'Video Create', arguments: { prompt: 'A storm [fail] [duration:1]', model: 'veo3' } }] },
				{ toolCalls: [{ tool: 'Wait Until Done', arguments: { taskId: '{{result.id}}' } }] },
				{ text: 'The video failed.' },
			],
			'Make a video of a storm',
		);
		const taskId = creates()[0].taskId;
		expect(chat.sandbox.tasks()).toEqual([expect.objectContaining({ id: taskId, status: 'failed' })]);
		expect(toolResults[1].name).toBe('Wait_Until_Done');
		expect(toolResults[1].json).toEqual([expect.objectContaining({ id: taskId, status: 'failed', error: expect.any(String) })]);
	});
});
