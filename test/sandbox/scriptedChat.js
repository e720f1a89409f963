// @ts-check
// A scripted "model" behind POST /v1/chat/completions (non-streaming), so that a test decides what an AI agent's
// model asks for: each turn of the script is either tool calls (OpenAI's `tool_calls` format) or a final text.
// No real model: the turn answered is the number of assistant messages already in the conversation, so the same
// script answers every conversation the same way, and a conversation that sends its history back (as agents do)
// walks through the script turn by turn.
//
// Script (config `chatScript`, e.g. sandbox.configure({ chatScript: [...] }) or POST /__sandbox/config):
//   [{ toolCalls: [{ tool: 'Video Create', arguments: { prompt: 'A lake', model: 'veo3' } }] },
//    { toolCalls: [{ tool: 'Wait Until Done', arguments: { taskId: '{{result.id}}' } }] },
//    { text: 'Your video: {{result.video_url}}' }]
// `tool` is matched against the names the agent sends in `tools`: exactly, or after turning every character that
// is not a letter, digit, `_` or `-` into `_` (n8n names a tool after its node: "Video Create" → "Video_Create").
// A string `{{result.<path>}}` is replaced by a value of the latest tool result the agent sent back (parsed as JSON;
// when it is an array, a path not starting with an index reads its first element); `{{results.<n>.<path>}}` reads
// the n-th tool result of the conversation (0-based). A string that is one placeholder only keeps the value's type.
//
// Every scripted call is recorded (chatCalls()): the tools offered, the messages, and the tool results the agent
// sent back, each with the name of the tool that produced it.
const crypto = require('node:crypto');
const { ApiError, invalidParam } = require('./apiError');

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'];
/** The request fields of OpenAI's chat completions that a client may send; anything else is a 400. */
const KNOWN_FIELDS = [
	'model', 'messages', 'tools', 'tool_choice', 'parallel_tool_calls', 'stream', 'stream_options', 'temperature', 'top_p',
	'n', 'max_tokens', 'max_completion_tokens', 'presence_penalty', 'frequency_penalty', 'stop', 'seed', 'user',
	'response_format', 'logprobs', 'top_logprobs', 'logit_bias', 'reasoning_effort', 'service_tier', 'store', 'metadata',
	'modalities', 'audio', 'prediction', 'verbosity', 'functions', 'function_call',
];
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * @typedef {{ tool: string, arguments?: Record<string, unknown>, id?: string }} ScriptedToolCall
 * @typedef {{ toolCalls: ScriptedToolCall[] } | { text: string }} ScriptTurn
 * @typedef {{ name: string, description: string, parameters: any }} OfferedTool
 * @typedef {{ toolCallId: string, name: string | undefined, content: string, json: unknown }} ToolResult
 * @typedef {{ seq: number, at: number, model: string, turn: number, tools: OfferedTool[], messages: any[],
 *   toolResults: ToolResult[], answer: any }} ChatCall
 */

/** Text of a message's content (a string or an array of text parts). @param {unknown} content */
function textOf(content) {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => (part && part.type === 'text' ? String(part.text ?? '') : '')).join('');
	return '';
}

/** @param {string} text */
function parseJsonOr(text) {
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

/**
 * Checks the request the way OpenAI's API would (the parts an agent uses) and returns the offered tools and the
 * tool results in the conversation.
 * @param {any} body
 */
function validateScriptedRequest(body) {
	for (const key of Object.keys(body)) {
		if (!KNOWN_FIELDS.includes(key)) throw invalidParam(key, `Unrecognized request argument supplied: ${key}`);
	}
	if (body.stream === true) {
		throw invalidParam('stream', `The scripted model '${body.model}' answers only non-streaming requests (stream: false).`);
	}
	if (!Array.isArray(body.messages) || body.messages.length === 0) throw invalidParam('messages', "'messages' must be a non-empty array.");

	/** @type {OfferedTool[]} */
	const tools = [];
	if (body.tools !== undefined) {
		if (!Array.isArray(body.tools)) throw invalidParam('tools', "'tools' must be an array.");
		body.tools.forEach((/** @type {any} */ tool, /** @type {number} */ index) => {
			const at = `tools[${index}]`;
			if (!tool || tool.type !== 'function' || !tool.function || typeof tool.function !== 'object') {
				throw invalidParam(at, `Invalid value for '${at}': expected { type: 'function', function: { name, description, parameters } }.`);
			}
			const { name, description, parameters } = tool.function;
			if (typeof name !== 'string' || !TOOL_NAME.test(name)) throw invalidParam(`${at}.function.name`, `Invalid '${at}.function.name': ${JSON.stringify(name)} does not match ^[a-zA-Z0-9_-]{1,64}$.`);
			if (tools.some((other) => other.name === name)) throw invalidParam(`${at}.function.name`, `Duplicate tool name '${name}'.`);
			if (description !== undefined && typeof description !== 'string') throw invalidParam(`${at}.function.description`, `Invalid type for '${at}.function.description': expected a string.`);
			if (parameters !== undefined && (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters))) {
				throw invalidParam(`${at}.function.parameters`, `Invalid type for '${at}.function.parameters': expected a JSON Schema object.`);
			}
			tools.push({ name, description: description ?? '', parameters: parameters ?? { type: 'object', properties: {} } });
		});
	}

	/** @type {Map<string, string>} tool call id → tool name, from the assistant messages so far */
	const calls = new Map();
	/** @type {ToolResult[]} */
	const toolResults = [];
	body.messages.forEach((/** @type {any} */ message, /** @type {number} */ index) => {
		const at = `messages[${index}]`;
		if (!message || typeof message !== 'object' || !ROLES.includes(message.role)) {
			throw invalidParam(`${at}.role`, `Invalid '${at}.role': expected one of ${ROLES.join(', ')}.`);
		}
		const content = message.content;
		const contentOk = typeof content === 'string' || Array.isArray(content) || (message.role === 'assistant' && (content === null || content === undefined));
		if (!contentOk) throw invalidParam(`${at}.content`, `Invalid type for '${at}.content': expected a string or an array of content parts.`);
		if (message.role === 'assistant' && message.tool_calls !== undefined) {
			if (!Array.isArray(message.tool_calls)) throw invalidParam(`${at}.tool_calls`, `'${at}.tool_calls' must be an array.`);
			message.tool_calls.forEach((/** @type {any} */ call, /** @type {number} */ callIndex) => {
				const callAt = `${at}.tool_calls[${callIndex}]`;
				if (!call || typeof call.id !== 'string' || call.type !== 'function' || typeof call.function?.name !== 'string' || typeof call.function?.arguments !== 'string') {
					throw invalidParam(callAt, `Invalid '${callAt}': expected { id, type: 'function', function: { name, arguments } } with arguments as a JSON string.`);
				}
				calls.set(call.id, call.function.name);
			});
		}
		if (message.role === 'tool') {
			if (typeof message.tool_call_id !== 'string' || !calls.has(message.tool_call_id)) {
				throw invalidParam(`${at}.tool_call_id`, `Invalid '${at}.tool_call_id': ${JSON.stringify(message.tool_call_id)} answers no tool call of an earlier assistant message.`);
			}
			const text = textOf(content);
			toolResults.push({ toolCallId: message.tool_call_id, name: calls.get(message.tool_call_id), content: text, json: parseJsonOr(text) });
		}
	});
	const assistantTurns = body.messages.filter((/** @type {any} */ message) => message.role === 'assistant').length;
	return { tools, toolResults, turn: assistantTurns };
}

/** n8n's tool name for a node name: every character outside [a-zA-Z0-9_-] becomes `_`. @param {string} name */
const toolNameOf = (name) => name.replace(/[^a-zA-Z0-9_-]/g, '_');

/** @param {string} wanted @param {OfferedTool[]} tools */
function matchTool(wanted, tools) {
	return tools.find((tool) => tool.name === wanted) ?? tools.find((tool) => tool.name === toolNameOf(wanted));
}

/** @param {unknown} value @param {string[]} path */
function readPath(value, path) {
	let current = value;
	for (const [index, key] of path.entries()) {
		if (Array.isArray(current) && !/^\d+$/.test(key) && index === 0) current = current[0];
		if (current === null || typeof current !== 'object') return undefined;
		current = /** @type {any} */ (current)[key];
	}
	return current;
}

/**
 * Replaces {{result.…}} / {{results.N.…}} placeholders in every string of a value.
 * @param {unknown} value @param {ToolResult[]} results
 */
function fillPlaceholders(value, results) {
	if (typeof value === 'string') {
		/** @param {string} expression */
		const resolve = (expression) => {
			const [head, ...rest] = expression.trim().split('.');
			if (head === 'result') {
				if (results.length === 0) throw new ApiError(400, `The chat script refers to {{${expression}}}, but the conversation has no tool result yet.`, { code: 'chat_script_error' });
				return readPath(results[results.length - 1].json, rest);
			}
			if (head === 'results') {
				const [n, ...path] = rest;
				const result = results[Number(n)];
				if (!result) throw new ApiError(400, `The chat script refers to {{${expression}}}, but the conversation has ${results.length} tool result(s).`, { code: 'chat_script_error' });
				return readPath(result.json, path);
			}
			throw new ApiError(400, `Unknown placeholder {{${expression}}} in the chat script (use result.… or results.N.…).`, { code: 'chat_script_error' });
		};
		/** @param {string} expression */
		const defined = (expression) => {
			const resolved = resolve(expression);
			if (resolved === undefined) {
				throw new ApiError(400, `The chat script's {{${expression}}} has no value in the tool results: ${JSON.stringify(results.map((r) => r.content))}.`, { code: 'chat_script_error' });
			}
			return resolved;
		};
		const whole = /^\{\{([^}]+)\}\}$/.exec(value);
		if (whole) return defined(whole[1]);
		return value.replace(/\{\{([^}]+)\}\}/g, (_, expression) => {
			const resolved = defined(expression);
			return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
		});
	}
	if (Array.isArray(value)) return value.map((entry) => fillPlaceholders(entry, results));
	if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, fillPlaceholders(entry, results)]));
	return value;
}

/**
 * The arguments must fit the JSON Schema the agent declared for the tool: every required property present and, when
 * the schema closes the object, no other property. (Values are the test's business: a bad value is what a test of a
 * tool's own validation wants to send.)
 * @param {OfferedTool} tool @param {Record<string, unknown>} args
 */
function checkArguments(tool, args) {
	const schema = tool.parameters ?? {};
	const properties = schema.properties ?? {};
	for (const name of Array.isArray(schema.required) ? schema.required : []) {
		if (!(name in args)) {
			throw new ApiError(400, `The chat script calls '${tool.name}' without its required argument '${name}' (the tool takes: ${Object.keys(properties).join(', ') || 'nothing'}).`, { code: 'chat_script_error' });
		}
	}
	if (schema.additionalProperties === false) {
		for (const name of Object.keys(args)) {
			if (!(name in properties)) {
				throw new ApiError(400, `The chat script passes '${name}' to '${tool.name}', which takes only: ${Object.keys(properties).join(', ') || 'nothing'}.`, { code: 'chat_script_error' });
			}
		}
	}
}

/**
 * The answer to one scripted chat request, as an OpenAI chat.completion object.
 * @param {any} body the request (already read as JSON)
 * @param {ScriptTurn[]} script
 * @returns {{ answer: any, call: Omit<ChatCall, 'seq' | 'at'> }}
 */
function answerScriptedChat(body, script) {
	const { tools, toolResults, turn } = validateScriptedRequest(body);
	if (!Array.isArray(script) || script.length === 0) {
		throw new ApiError(400, `The sandbox has no chat script for model '${body.model}': set one with POST /__sandbox/config {"chatScript": [...]}.`, { code: 'chat_script_error' });
	}
	const step = script[turn];
	if (!step) {
		throw new ApiError(400, `The chat script has ${script.length} turn(s); this conversation asks for turn ${turn + 1}.`, { code: 'chat_script_error' });
	}
	const id = `chatcmpl-${crypto.randomBytes(12).toString('hex')}`;
	/** @type {any} */
	let message;
	let finishReason = 'stop';
	if ('toolCalls' in step) {
		const toolCalls = step.toolCalls.map((call) => {
			const tool = matchTool(call.tool, tools);
			if (!tool) {
				throw new ApiError(400, `The chat script calls the tool '${call.tool}', but the request offers only: ${tools.map((t) => t.name).join(', ') || 'no tools'}.`, { code: 'chat_script_error' });
			}
			const args = /** @type {Record<string, unknown>} */ (fillPlaceholders(call.arguments ?? {}, toolResults));
			checkArguments(tool, args);
			return { id: call.id ?? `call_${crypto.randomBytes(12).toString('hex')}`, type: 'function', function: { name: tool.name, arguments: JSON.stringify(args) } };
		});
		message = { role: 'assistant', content: null, tool_calls: toolCalls };
		finishReason = 'tool_calls';
	} else {
		message = { role: 'assistant', content: String(fillPlaceholders(step.text, toolResults)) };
	}
	const promptTokens = Math.ceil(JSON.stringify(body.messages).length / 4);
	const completionTokens = Math.ceil(JSON.stringify(message).length / 4);
	const answer = {
		id,
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model: body.model,
		choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
		usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
	};
	return { answer, call: { model: body.model, turn, tools, messages: body.messages, toolResults, answer } };
}

module.exports = { answerScriptedChat, validateScriptedRequest, toolNameOf };
