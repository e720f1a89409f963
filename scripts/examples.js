// The example workflows (examples/*.json) prepared for a run against the sandbox, and their runs summarized.
// Used by the demo (scripts/demo.js) and the example tests (test/e2e/examples.test.ts).
'use strict';
const fs = require('fs');
const path = require('path');

const EXAMPLES_DIR = path.resolve(__dirname, '..', 'examples');
const PACKAGE = 'n8n-nodes-apertis-video';

/**
 * Reads one example and points it at this run: every Apertis node gets the given credential, and the "Settings"
 * node's `folder` (where the example reads its input files and writes its outputs) becomes a fresh folder under
 * outputRoot holding a copy of examples/data.
 */
function prepareExample(file, { credentialId, outputRoot }) {
	const workflow = JSON.parse(fs.readFileSync(path.resolve(EXAMPLES_DIR, file), 'utf8'));
	const folder = path.join(outputRoot, workflow.id);
	fs.mkdirSync(folder, { recursive: true });
	fs.cpSync(path.join(EXAMPLES_DIR, 'data'), folder, { recursive: true });
	for (const node of workflow.nodes) {
		if (node.type.startsWith(`${PACKAGE}.`)) node.credentials = { apertisApi: { id: credentialId, name: 'Apertis sandbox' } };
		if (node.name === 'Settings') {
			const folderField = node.parameters.assignments.assignments.find((a) => a.name === 'folder');
			folderField.value = folder;
		}
	}
	return { workflow, folder };
}

function itemsOf(run, nodeName, output = 0) {
	return run.runData[nodeName]?.[0]?.data?.main?.[output] ?? [];
}

/** items: what entered the first Apertis node; completed/failed: how the last Apertis step ended; videos: files written. */
function summarizeRun(workflow, run) {
	const apertisNodes = workflow.nodes.filter((n) => n.type.startsWith(`${PACKAGE}.`)).map((n) => n.name);
	const first = apertisNodes[0];
	const items = first ? itemsOf(run, first).length : 0;
	const waitNode = workflow.nodes.find((n) => n.type === `${PACKAGE}.apertisWaitUntilDone`);
	let completed = 0;
	let failed = 0;
	if (waitNode) {
		completed = itemsOf(run, waitNode.name, 0).length;
		failed = itemsOf(run, waitNode.name, 1).length;
	} else if (apertisNodes.length) {
		const last = itemsOf(run, apertisNodes[apertisNodes.length - 1]);
		completed = last.filter((i) => i.json.status === 'completed').length;
		failed = last.length - completed;
	}
	const writers = workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.readWriteFile' && n.parameters.operation === 'write');
	const videos = writers.flatMap((n) => itemsOf(run, n.name).map((i) => i.json.fileName)).filter((f) => typeof f === 'string' && f.endsWith('.mp4'));
	return { items, completed, failed, videos, videosDir: videos.length ? path.dirname(videos[0]) : '' };
}

module.exports = { EXAMPLES_DIR, prepareExample, summarizeRun, itemsOf };
