// The sandbox's scripted chat model (non-streaming POST /v1/chat/completions) over real HTTP: it answers an agent's
// requests turn by turn with OpenAI tool calls or a final text, refuses malformed requests and scripts that do not
// fit the tools offered, and records the tool results the agent sent back.
import type { Sandbox } from '../../inprocess/harness/sandbox';
import { startSandbox } from '../../inprocess/harness/sandbox';

let sandbox: Sandbox;
beforeAll(async () => (sandbox = await startSandbox({ durationMs: 300 })));
afterAll(async () => await sandbox.close());
beforeEach(() => {
	sandbox.reset();
	sandbox.configure({ chatScript: [] });
});

const MODEL = 'sandbox-agent';
const createTool = {
	type: 'function',
	function: {
		name: 'Video_Create',
		description: 'Starts a video task',
		parameters: { type: 'object', properties: { prompt: { type: 'string' }, model: { type: 'string' } }, required: ['prompt', 'model'], additionalProperties: false },
	},
};
const waitTool = {
	type: 'function',
	function: { name: 'Wait_Until_Done', description: 'Waits', parameters: { type: 'object', properties: { taskId: { type: 'string' } }, required: ['taskId'], additionalProperties: false } },
};

async function chat(body: Record<string, unknown>, key = sandbox.apiKey) {
	const response = await fetch(`${sandbox.url}/v1/chat/completions`, {
		method: 'POST',
		headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	return { status: response.status, json: (await response.json()) as any };
}
const user = { role: 'user', content: 'Make a video of a lake with veo3' };

describe('scripted chat model', () => {
	test('answers turn by turn: tool calls in OpenAI format, placeholders filled from tool results, then the final text', async () => {
		sandbox.configure({
			chatScript: [
				{ toolCalls: [{ tool: 'Video Create', arguments: { prompt: 'A lake', model: 'veo3' } }] },
				{ toolCalls: [{ tool: 'Wait_Until_Done', arguments: { taskId: '{{result.id}}' } }] },
				{ text: 'Done: {{result.video_url}} (task {{results.0.id}})' },
			],
		});
		const tools = [createTool, waitTool];

		const first = await chat({ model: MODEL, messages: [user], tools, stream: false, temperature: 0.7 });
		expect(first.status).toBe(200);
		expect(first.json).toMatchObject({ object: 'chat.completion', model: MODEL, choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null } }] });
		const [call] = first.json.choices[0].message.tool_calls;
		expect(call).toEqual({ id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'Video_Create', arguments: JSON.stringify({ prompt: 'A lake', model: 'veo3' }) } });
		expect(first.json.usage.total_tokens).toBeGreaterThan(0);

		// The agent sends the history back with the tool's result (n8n: the items' json as a JSON array).
		const created = [{ id: 'veo3:1700000000-abcdefgh', status: 'pending' }];
		const history = [user, first.json.choices[0].message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify(created) }];
		const second = await chat({ model: MODEL, messages: history, tools });
		const waitCall = second.json.choices[0].message.tool_calls[0];
		expect(waitCall.function).toEqual({ name: 'Wait_Until_Done', arguments: JSON.stringify({ taskId: 'veo3:1700000000-abcdefgh' }) });

		const done = { id: 'veo3:1700000000-abcdefgh', status: 'completed', video_url: 'http://files.example/v.mp4' };
		const third = await chat({ model: MODEL, messages: [...history, second.json.choices[0].message, { role: 'tool', tool_call_id: waitCall.id, content: [{ type: 'text', text: JSON.stringify(done) }] }], tools });
		expect(third.json.choices[0]).toMatchObject({ finish_reason: 'stop', message: { role: 'assistant', content: 'Done: http://files.example/v.mp4 (task veo3:1700000000-abcdefgh)' } });

		const calls = sandbox.chatCalls();
		expect(calls.map((c) => c.turn)).toEqual([0, 1, 2]);
		expect(calls[0].tools.map((t) => t.name)).toEqual(['Video_Create', 'Wait_Until_Done']);
		expect(calls[2].toolResults).toEqual([
			{ toolCallId: call.id, name: 'Video_Create', content: JSON.stringify(created), json: created },
			{ toolCallId: waitCall.id, name: 'Wait_Until_Done', content: JSON.stringify(done), json: done },
		]);
		// Scripted chat is no paid request: no task, and the admin endpoint shows the same record.
		expect(sandbox.tasks()).toHaveLength(0);
		const admin = (await (await fetch(`${sandbox.url}/__sandbox/chat`)).json()) as unknown[];
		expect(admin).toHaveLength(3);
	});

	test('the script can be set through POST /__sandbox/config, and an empty tool result is recorded as such', async () => {
		await fetch(`${sandbox.url}/__sandbox/config`, { method: 'POST', body: JSON.stringify({ chatScript: [{ toolCalls: [{ tool: 'Video_Create', arguments: { prompt: 'p', model: 'veo9' } }] }, { text: 'The tool said: {{result}}' }] }) });
		const first = await chat({ model: MODEL, messages: [user], tools: [createTool] });
		const call = first.json.choices[0].message.tool_calls[0];
		const second = await chat({ model: MODEL, messages: [user, first.json.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '' }], tools: [createTool] });
		expect(second.status).toBe(200);
		expect(second.json.choices[0].message.content).toBe('The tool said: ');
		expect(sandbox.chatCalls()[1].toolResults).toEqual([{ toolCallId: call.id, name: 'Video_Create', content: '', json: '' }]);
	});

	test.each([
		[{ messages: [user], tools: [createTool], stream: true }, 'stream'],
		[{ messages: [] }, 'messages'],
		[{ messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
		[{ messages: [{ role: 'user', content: 42 }] }, 'messages[0].content'],
		[{ messages: [user], tools: [{ type: 'function', function: { name: 'bad name' } }] }, 'tools[0].function.name'],
		[{ messages: [user], tools: [{ type: 'retrieval' }] }, 'tools[0]'],
		[{ messages: [user], tools: [createTool, createTool] }, 'tools[1].function.name'],
		[{ messages: [user, { role: 'tool', tool_call_id: 'call_unknown', content: '{}' }] }, 'messages[1].tool_call_id'],
		[{ messages: [user, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'x', arguments: {} } }] }] }, 'messages[1].tool_calls[0]'],
		[{ messages: [user], temperature: 0, bogus: true }, 'bogus'],
	])('%j → 400 naming %s', async (body, param) => {
		sandbox.configure({ chatScript: [{ text: 'hi' }] });
		const answer = await chat({ model: MODEL, ...body });
		expect(answer.status).toBe(400);
		expect(answer.json.error).toMatchObject({ type: 'invalid_request_error', param });
		expect(sandbox.chatCalls()).toHaveLength(0);
	});

	test.each([
		[[], /has no chat script/],
		[[{ toolCalls: [{ tool: 'Video Query', arguments: {} }] }], /calls the tool 'Video Query', but the request offers only: Video_Create/],
		[[{ toolCalls: [{ tool: 'Video_Create', arguments: { prompt: 'p' } }] }], /without its required argument 'model'/],
		[[{ toolCalls: [{ tool: 'Video_Create', arguments: { prompt: 'p', model: 'veo3', seconds: 5 } }] }], /passes 'seconds' to 'Video_Create', which takes only: prompt, model/],
		[[{ toolCalls: [{ tool: 'Video_Create', arguments: { prompt: '{{result.id}}', model: 'veo3' } }] }], /no tool result yet/],
	])('a script that does not fit the request is a 400 saying why (%#)', async (chatScript, message) => {
		sandbox.configure({ chatScript });
		const answer = await chat({ model: MODEL, messages: [user], tools: [createTool] });
		expect(answer.status).toBe(400);
		expect(answer.json.error.message).toMatch(message);
	});

	test('a conversation longer than the script is a 400; a wrong key is a 401', async () => {
		sandbox.configure({ chatScript: [{ text: 'only turn' }] });
		const answer = await chat({ model: MODEL, messages: [user, { role: 'assistant', content: 'earlier' }, user] });
		expect(answer.status).toBe(400);
		expect(answer.json.error.message).toMatch(/has 1 turn\(s\); this conversation asks for turn 2/);
		expect((await chat({ model: MODEL, messages: [user] }, 'sk-wrong')).status).toBe(401);
	});

	test('Sora models keep their chat path: a non-streaming Sora request still creates a task and answers when done', async () => {
		const answer = await chat({ model: 'sora-2', messages: [{ role: 'user', content: 'lake [duration:0.2]' }] });
		expect(answer.status).toBe(200);
		expect(answer.json.choices[0].message.content).toMatch(/^task_id: sora-2:\d{10}-[a-z]{8}\nprogress: 100%\nvideo_url: /);
		expect(sandbox.tasks()).toHaveLength(1);
		expect(sandbox.chatCalls()).toHaveLength(0);
		// Another unknown model is still refused as before.
		expect((await chat({ model: 'gpt-unknown', messages: [user] })).json.error.param).toBe('model');
	});
});
