import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

/**
 * Drives the real n8n editor in Debian's chromium (playwright-core never downloads a browser). The flags keep
 * chromium off the network: this machine has none, and its background services would only fail and slow it.
 */
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-dev-shm-usage',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-quic',
	'--no-first-run',
];

export interface Editor {
	browser: Browser;
	context: BrowserContext;
	page: Page;
	close(): Promise<void>;
}

export async function openEditor(baseUrl: string, authCookie: { name: string; value: string }): Promise<Editor> {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: CHROMIUM_ARGS,
		headless: true,
	});
	const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 } });
	await context.addCookies([{ ...authCookie, url: baseUrl }]);
	const page = await context.newPage();
	return { browser, context, page, close: async () => await browser.close() };
}

/** Opens a workflow and the node details view of one node; returns the parameter names the editor renders. */
export async function openNode(page: Page, workflowId: string, nodeName: string): Promise<void> {
	await page.goto(`/workflow/${workflowId}`);
	const node = page.locator('[data-test-id="canvas-node"]', { hasText: nodeName }).first();
	await node.waitFor({ state: 'visible', timeout: 60_000 });
	await node.dblclick();
	await page.locator('[data-test-id="node-parameters"]').waitFor({ state: 'visible', timeout: 30_000 });
}

/**
 * The parameters the editor shows in the open node's Parameters tab: the names of the visible
 * `parameter-input-<name>` fields, plus multi-value fields (rendered as a list with an "Add" button, not an input),
 * recognised by their visible label.
 */
export async function visibleParameterNames(page: Page, multiValueLabels: Record<string, string> = {}): Promise<string[]> {
	const ids = await page
		.locator('[data-test-id="node-parameters"] [data-test-id^="parameter-input-"]:visible')
		.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-test-id') ?? ''));
	const names = ids.map((id) => id.replace(/^parameter-input-/, '')).filter((name) => /^[A-Za-z]+$/.test(name) && name !== 'field' && name !== 'item');
	for (const [name, label] of Object.entries(multiValueLabels)) {
		const shown = await page.locator('[data-test-id="node-parameters"]').getByText(label, { exact: true }).first().isVisible();
		if (shown) names.push(name);
	}
	return [...new Set(names)];
}

/** The labels of the options a dropdown parameter offers, as the editor lists them. */
export async function dropdownOptions(page: Page, parameterName: string): Promise<string[]> {
	await page.locator(`[data-test-id="parameter-input-${parameterName}"]`).first().click();
	const items = page.locator('.el-select-dropdown:visible .el-select-dropdown__item');
	await items.first().waitFor({ state: 'visible', timeout: 10_000 });
	const labels = await items.allInnerTexts();
	await page.keyboard.press('Escape');
	return labels.map((label) => label.trim()).filter(Boolean);
}

export async function closeNode(page: Page): Promise<void> {
	await page.keyboard.press('Escape');
}
