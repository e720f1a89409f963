// n8n reports a failed node's error to its logger (a console block per error under jest, before issue 14). The
// harness records those entries with the run instead (harness/n8nLog.ts) and fails a run that logged anything else.
import { checkLogged, loggedText } from './harness/n8nLog';
import { runWorkflow } from './harness/runWorkflow';

describe("n8n's logger in the in-process tests", () => {
	afterEach(() => jest.restoreAllMocks());

	test('the error n8n logs for a failed node is recorded with the run and nothing is printed', async () => {
		const printed = ['log', 'info', 'warn', 'error', 'debug'].map((method) => jest.spyOn(console, method as 'log'));
		const result = await runWorkflow({
			nodes: [{ name: 'Create', type: 'apertisVideoCreate', parameters: { model: 'veo3', prompt: '   ' } }],
			credentials: { baseUrl: 'http://127.0.0.1:9', apiKey: 'sk-unused' },
		});
		expect(result.error('Create')?.message).toBe('Prompt is empty [item 0]');
		expect(result.logged.filter((entry) => entry.level === 'error').map(loggedText)).toContain('Prompt is empty [item 0]');
		for (const spy of printed) expect(spy).not.toHaveBeenCalled();
	});

	test('a run passes the check only when every logged warning or error is a failed node’s error or its cause', () => {
		const nodeError = new Error('Task t was not found', { cause: new Error('404 Not Found') });
		expect(() => checkLogged([{ level: 'error', message: 'Task t was not found (execution inprocess-1)\n    at stack' }, { level: 'error', message: '404 Not Found' }], [undefined, nodeError])).not.toThrow();
		expect(() => checkLogged([{ level: 'info', message: 'Started' }], [])).not.toThrow();
		expect(() => checkLogged([{ level: 'error', message: 'Something else broke' }], [nodeError])).toThrow(/n8n logged what no node of the run failed with:\n {2}error: Something else broke/);
		expect(() => checkLogged([{ level: 'warn', message: 'Task t was not found (retrying)' }], [nodeError])).toThrow(/warn: Task t was not found \(retrying\)/);
	});
});
