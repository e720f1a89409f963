// The workflows the benchmark runs: side A (this package), side B (the loop users build by hand), and the download
// node for the memory pair. Built as n8n saves them, so they import with `n8n import:workflow`.
'use strict';

const PACKAGE = 'n8n-nodes-apertis-video';
const APERTIS = { apertisApi: { id: 'benchApertis0001', name: 'Apertis sandbox' } };
const HEADER_AUTH = { httpHeaderAuth: { id: 'benchHeader00001', name: 'Apertis key header' } };

function node(name, type, index, parameters, extra = {}) {
	return { id: `bench-${index}`, name, type, typeVersion: 1, position: [index * 220, 0], parameters, ...extra };
}

function chain(names) {
	return Object.fromEntries(names.slice(0, -1).map((name, i) => [name, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));
}

/** Rows of {model, prompt} as items, from n8n's own Set + Split Out nodes. */
function rowNodes(rows) {
	return [
		node('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
		node('Prompts', 'n8n-nodes-base.set', 1, { mode: 'raw', jsonOutput: JSON.stringify({ rows }), options: {} }, { typeVersion: 3.4 }),
		node('Rows', 'n8n-nodes-base.splitOut', 2, { fieldToSplitOut: 'rows', options: {} }),
	];
}

/** Side A: Video Create → Apertis Wait Until Done, defaults but for the time-out. */
function sideA(id, name, rows) {
	const nodes = [
		...rowNodes(rows),
		node('Video Create', `${PACKAGE}.apertisVideoCreate`, 3, { model: '={{ $json.model }}', prompt: '={{ $json.prompt }}', batchOptions: { maxTasksPerExecution: 0 } }, { credentials: APERTIS }),
		node('Wait Until Done', `${PACKAGE}.apertisWaitUntilDone`, 4, { timeout: 10 }, { credentials: APERTIS }),
	];
	return { id, name, nodes, connections: chain(nodes.map((n) => n.name)) };
}

/** Side B: HTTP Request (create) → Wait 10 s → HTTP Request (query) → IF done → else back to Wait. */
function sideB(id, name, rows, baseUrl) {
	const http = (nodeName, index, parameters) =>
		node(nodeName, 'n8n-nodes-base.httpRequest', index, { authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth', options: {}, ...parameters }, { typeVersion: 4.2, credentials: HEADER_AUTH });
	const nodes = [
		...rowNodes(rows),
		http('Create', 3, { method: 'POST', url: `${baseUrl}/v1/video/create`, sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify({ model: $json.model, prompt: $json.prompt }) }}' }),
		node('Wait 10 s', 'n8n-nodes-base.wait', 4, { amount: 10, unit: 'seconds' }, { typeVersion: 1.1, webhookId: 'c0ffee00-0000-4000-8000-000000000b01' }),
		http('Query', 5, { method: 'GET', url: `${baseUrl}/v1/video/query`, sendQuery: true, queryParameters: { parameters: [{ name: 'id', value: '={{ $json.id }}' }] } }),
		node('Done?', 'n8n-nodes-base.if', 6, {
			conditions: {
				options: { caseSensitive: true, leftValue: '', typeValidation: 'strict' },
				conditions: ['completed', 'failed'].map((status, i) => ({ id: `c${i}`, leftValue: '={{ $json.status }}', rightValue: status, operator: { type: 'string', operation: 'equals' } })),
				combinator: 'or',
			},
			options: {},
		}, { typeVersion: 2 }),
		node('Finished', 'n8n-nodes-base.noOp', 7, {}),
	];
	const connections = {
		...chain(['Start', 'Prompts', 'Rows', 'Create', 'Wait 10 s', 'Query', 'Done?']),
		'Done?': { main: [[{ node: 'Finished', type: 'main', index: 0 }], [{ node: 'Wait 10 s', type: 'main', index: 0 }]] },
	};
	return { id, name, nodes, connections };
}

/** Video Create alone (no waiting), at a given Batch Options → Concurrency (undefined: the node's default). */
function createOnlyA(id, rows, concurrency) {
	const batchOptions = { maxTasksPerExecution: 0, ...(concurrency ? { concurrency } : {}) };
	const nodes = [...rowNodes(rows), node('Video Create', `${PACKAGE}.apertisVideoCreate`, 3, { model: '={{ $json.model }}', prompt: '={{ $json.prompt }}', batchOptions }, { credentials: APERTIS })];
	return { id, name: id, nodes, connections: chain(nodes.map((n) => n.name)) };
}

/** HTTP Request's create alone: it sends every item's request at once (no Batching option set). */
function createOnlyB(id, rows, baseUrl) {
	const workflow = sideB(id, id, rows, baseUrl);
	const nodes = workflow.nodes.slice(0, 4);
	return { id, name: id, nodes, connections: chain(nodes.map((n) => n.name)) };
}

/** Apertis Sora Chat Stream over the rows' prompts, at the node's default concurrency. */
function soraA(id, rows) {
	const nodes = [...rowNodes(rows), node('Sora Chat Stream', `${PACKAGE}.apertisSoraChatStream`, 3, { model: 'sora-2', prompt: '={{ $json.prompt }}' }, { credentials: APERTIS })];
	return { id, name: id, nodes, connections: chain(nodes.map((n) => n.name)) };
}

/** Downloads one finished video with Apertis Video Query (Download Video on). */
function download(id, task) {
	const nodes = [
		node('Start', 'n8n-nodes-base.manualTrigger', 0, {}),
		node('Task', 'n8n-nodes-base.set', 1, { mode: 'raw', jsonOutput: JSON.stringify(task), options: {} }, { typeVersion: 3.4 }),
		node('Download', `${PACKAGE}.apertisVideoQuery`, 2, { downloadVideo: true }, { credentials: APERTIS }),
	];
	return { id, name: 'Bench download', nodes, connections: chain(nodes.map((n) => n.name)) };
}

module.exports = { sideA, sideB, createOnlyA, createOnlyB, soraA, download, APERTIS, HEADER_AUTH };
