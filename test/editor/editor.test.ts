/**
 * The real n8n editor (n8n start + Debian chromium via playwright-core) shows each Video Create field only for the
 * models that take it, offers each Sora model its own durations, and renders every node of the package. The
 * screenshots it takes are the README's (`npm run docs:screenshots` writes them into docs/screenshots).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import type { N8nServer } from '../e2e/lib';
import { packAndInstall, packageBuildState, runtimeInstalled, startN8n } from '../e2e/lib';
import type { Editor } from './editorDriver';
import { closeNode, dropdownOptions, openEditor, openNode, visibleParameterNames } from './editorDriver';

jest.setTimeout(10 * 60_000);

const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR ?? path.join(__dirname, '..', '..', 'test-results', 'screenshots'));
const PACKAGE = 'n8n-nodes-apertis-video';

/** Model → the Video Create fields the editor must show, written out from the API document. */
// waitForCompletion and existingTaskId are every model's: they are about the node, not the API call. (Batch Options,
// an empty collection, renders as an "Add option" button, not as a parameter.)
const VEO_BASE = ['model', 'prompt', 'enhancePrompt', 'enableUpsample', 'waitForCompletion', 'existingTaskId'];
const SORA = ['model', 'prompt', 'waitForCompletion', 'existingTaskId', 'imageUrls', 'orientation', 'size', 'duration', 'watermark', 'private', 'characterUrl', 'characterTimestamps'];
const EXPECTED: Record<string, string[]> = {
	veo2: VEO_BASE,
	veo3: [...VEO_BASE, 'aspectRatio'],
	'veo2-fast-frames': [...VEO_BASE, 'imageUrls'],
	'sora-2': SORA,
	'sora-2-pro': SORA,
};
/** The first option of a parameter whose default the document does not state, as the dropdown shows it. */
const API_DEFAULT_OPTION = 'API Default\nSend nothing: the API decides';
const MULTI_VALUE_LABELS = { imageUrls: 'Reference Image URLs' };

function createNode(model: string, index: number) {
	return {
		id: `create-${index}`,
		name: `Create ${model}`,
		type: `${PACKAGE}.apertisVideoCreate`,
		typeVersion: 1,
		position: [index * 240, 0],
		parameters: { model, prompt: 'A serene lake with mountains at sunset' },
	};
}

const OTHER_NODES = [
	{ name: 'Query', type: 'apertisVideoQuery', parameters: {} },
	{ name: 'From Image', type: 'apertisVideoFromImage', parameters: { prompt: 'The camera pulls back' } },
	{ name: 'Sora Chat Stream', type: 'apertisSoraChatStream', parameters: { prompt: 'A paper boat on a river' } },
	{ name: 'Wait Until Done', type: 'apertisWaitUntilDone', parameters: {} },
	{ name: 'Create and Wait', type: 'apertisVideoCreate', parameters: { model: 'veo3', prompt: 'A lake', waitForCompletion: true, downloadVideo: true } },
].map((node, index) => ({
	id: `other-${index}`,
	name: node.name,
	type: `${PACKAGE}.${node.type}`,
	typeVersion: 1,
	position: [index * 240, 300],
	parameters: node.parameters,
}));

describe('the n8n editor', () => {
	let n8n: N8nServer | undefined;
	let editor: Editor | undefined;
	let workflowId = '';
	let userFolder = '';

	beforeAll(async () => {
		if (!runtimeInstalled()) throw new Error('The pinned n8n runtime is missing. Run: bash scripts/install-n8n-runtime.sh');
		if (!packageBuildState().built) throw new Error('The package is not built. Run: npm run build');
		fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
		userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'apertis-editor-'));
		await packAndInstall(userFolder);
		n8n = await startN8n({ userFolder });
		const workflow = await n8n.createWorkflow({
			name: 'Apertis nodes in the editor',
			nodes: [...Object.keys(EXPECTED).map(createNode), ...OTHER_NODES],
			connections: {},
		});
		workflowId = workflow.id;
		editor = await openEditor(n8n.baseUrl, n8n.cookie);
	});

	afterAll(async () => {
		await editor?.close();
		await n8n?.stop();
		if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
	});

	test.each(Object.entries(EXPECTED))('Video Create with %s shows exactly its fields', async (model, fields) => {
		const page = editor!.page;
		await openNode(page, workflowId, `Create ${model}`);
		const shown = await visibleParameterNames(page, MULTI_VALUE_LABELS);
		await page.screenshot({ path: path.join(SCREENSHOT_DIR, `video-create-${model}.png`) });
		expect(shown.sort()).toEqual([...fields].sort());
		await closeNode(page);
	});

	test.each([
		// API Default first: it sends no duration (the document states none), so the API's own default applies.
		['sora-2', [API_DEFAULT_OPTION, '10 Seconds']],
		['sora-2-pro', [API_DEFAULT_OPTION, '10 Seconds', '15 Seconds', '25 Seconds']],
	])('%s offers the durations %j', async (model, durations) => {
		const page = editor!.page;
		await openNode(page, workflowId, `Create ${model}`);
		expect(await dropdownOptions(page, 'duration')).toEqual(durations);
		await closeNode(page);
	});

	test.each([
		['Query', ['taskId', 'downloadVideo']],
		['From Image', ['model', 'prompt', 'binaryPropertyName', 'seconds', 'size', 'watermark', 'waitForCompletion', 'existingTaskId']],
		// An empty options collection renders as an "Add option" button, not as a parameter.
		['Sora Chat Stream', ['model', 'prompt', 'downloadVideo']],
		['Wait Until Done', ['taskId', 'pollInterval', 'timeout', 'handOffAfter', 'downloadVideo']],
		['Create and Wait', ['model', 'prompt', 'enhancePrompt', 'enableUpsample', 'aspectRatio', 'waitForCompletion', 'existingTaskId', 'pollInterval', 'timeout', 'downloadVideo', 'binaryPropertyOutput']],
	])('%s renders its fields', async (nodeName, fields) => {
		const page = editor!.page;
		await openNode(page, workflowId, nodeName);
		const shown = await visibleParameterNames(page);
		await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${nodeName.toLowerCase().replace(/\s+/g, '-')}.png`) });
		expect(shown.sort()).toEqual([...fields].sort());
		await closeNode(page);
	});
});
