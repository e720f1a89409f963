// What a user reads when an item fails: the item, the parameter and the task id, as the node's error or, under
// Continue On Fail, as an output item. stoppedWithTasks (it writes to n8n's log) is run in-process: see
// test/inprocess/waitUntilDone.test.ts, "a stopped execution".
import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	errorItem,
	executionStopped,
	InvalidParameter,
	taskIdOf,
	toItemError,
	withTaskId,
} from '../../../../nodes/shared/errors';

const node: INode = {
	id: 'node-1',
	name: 'Create',
	type: 'n8n-nodes-apertis-video.apertisVideoCreate',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
const MODEL = { name: 'model', label: 'Model' };

describe('toItemError: whatever an item threw becomes an n8n error that names the item', () => {
	test('a bad parameter names the item, the parameter by label and name, the hint, and that nothing was sent', () => {
		const error = toItemError(node, new InvalidParameter(MODEL, 'Model "veo9" is not a Video Create model', 'Use one of: veo2, veo3.'), 2);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Model "veo9" is not a Video Create model [item 2]');
		expect(error.description).toBe('Parameter "Model" (model) of item 2. Use one of: veo2, veo3. No request was sent for this item.');
		expect(error.context.itemIndex).toBe(2);
		expect(error.node).toBe(node);
	});

	test('without a hint the description still names the parameter and the item', () => {
		const error = toItemError(node, new InvalidParameter({ name: 'prompt', label: 'Prompt' }, 'Prompt is empty'), 0);
		expect(error.description).toBe('Parameter "Prompt" (prompt) of item 0. No request was sent for this item.');
	});

	test('an n8n error is kept as it is, its item filled in only when it names none', () => {
		const fromTransport = new NodeApiError(node, { message: 'Task t was not found' }, { message: 'Task t was not found', itemIndex: 1 });
		expect(toItemError(node, fromTransport, 4)).toBe(fromTransport);
		expect(fromTransport.context.itemIndex).toBe(1);
		const unplaced = new NodeOperationError(node, 'The execution was stopped');
		expect(toItemError(node, unplaced, 3)).toBe(unplaced);
		expect(unplaced.context.itemIndex).toBe(3);
	});

	test('any other error, or a thrown value that is not one, keeps its words and gains the item', () => {
		expect(toItemError(node, new Error('socket hang up'), 5).message).toBe('socket hang up [item 5]');
		expect(toItemError(node, 'odd failure', 6).message).toBe('odd failure [item 6]');
		expect(toItemError(node, new Error('x'), 5).context.itemIndex).toBe(5);
	});
});

describe('a created task’s id reaches the user', () => {
	test('withTaskId puts the id in the error’s context and at the end of its description', () => {
		const error = withTaskId(new NodeOperationError(node, 'The video could not be downloaded', { description: 'Nothing was downloaded.' }), 'veo3:1-abc');
		expect(error.context.taskId).toBe('veo3:1-abc');
		expect(error.description).toBe('Nothing was downloaded. Task id: veo3:1-abc.');
		expect(taskIdOf(error)).toBe('veo3:1-abc');
	});

	test('an error without a description gets one; a description that names the id already is left as it is', () => {
		expect(withTaskId(new NodeOperationError(node, 'Failed'), 'video_1').description).toBe('Task id: video_1.');
		const named = new NodeOperationError(node, 'Failed', { description: 'Task video_1 failed.' });
		expect(withTaskId(named, 'video_1').description).toBe('Task video_1 failed.');
	});

	test('without a task id the error is unchanged', () => {
		const error = new NodeOperationError(node, 'Failed', { description: 'Why.' });
		expect(withTaskId(error, undefined)).toBe(error);
		expect(error.description).toBe('Why.');
		expect(taskIdOf(error)).toBeUndefined();
	});

	test('taskIdOf reads only a text id from an error’s context', () => {
		expect(taskIdOf({ context: { taskId: 42 } })).toBeUndefined();
		expect(taskIdOf(new Error('plain'))).toBeUndefined();
		expect(taskIdOf(undefined)).toBeUndefined();
	});
});

describe('executionStopped: the tasks that keep running at Apertis are named', () => {
	test('with no task running it says only that the execution was stopped', () => {
		const error = executionStopped(node, []);
		expect(error.message).toBe('The execution was stopped');
		expect(error.description).toBeUndefined();
		expect(taskIdOf(error)).toBeUndefined();
	});

	test('one task: the message counts it, the description and the context carry its id, and the item is kept', () => {
		const error = executionStopped(node, ['veo3:1-abc'], 2);
		expect(error.message).toBe('The execution was stopped while 1 task was still running');
		expect(error.description).toContain('They keep running at Apertis');
		expect(error.description).toContain('Task ids: veo3:1-abc');
		expect(taskIdOf(error)).toBe('veo3:1-abc');
		expect(error.context.itemIndex).toBe(2);
	});

	test('several tasks: every id is in the description, and none is the error’s one task', () => {
		const error = executionStopped(node, ['a:1', 'b:2', 'video_3']);
		expect(error.message).toBe('The execution was stopped while 3 tasks were still running');
		expect(error.description).toMatch(/Task ids: a:1, b:2, video_3$/);
		expect(taskIdOf(error)).toBeUndefined();
	});
});

describe('errorItem: a failed item under Continue On Fail', () => {
	test('says what went wrong, why, and the task id, paired with its input item', () => {
		const error = withTaskId(new NodeOperationError(node, 'Task veo3:1-abc failed', { description: 'Rejected.' }), 'veo3:1-abc');
		expect(errorItem(error, 3)).toEqual({
			json: { error: 'Task veo3:1-abc failed', errorDescription: 'Rejected. Task id: veo3:1-abc.', id: 'veo3:1-abc' },
			pairedItem: { item: 3 },
		});
	});

	test('a bad parameter becomes an item that names the item and the parameter, without an id (no task exists)', () => {
		const item = errorItem(toItemError(node, new InvalidParameter(MODEL, 'Model "veo9" is not a Video Create model'), 1), 1);
		expect(item.json).toEqual({
			error: 'Model "veo9" is not a Video Create model [item 1]',
			errorDescription: 'Parameter "Model" (model) of item 1. No request was sent for this item.',
		});
		expect(item.pairedItem).toEqual({ item: 1 });
	});

	test('an error without a description gives no errorDescription', () => {
		expect(errorItem(new NodeOperationError(node, 'boom'), 0).json).toEqual({ error: 'boom' });
	});
});
