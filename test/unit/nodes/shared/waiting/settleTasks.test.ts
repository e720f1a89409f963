import { parseTaskId } from '../../../../../nodes/shared/taskIds';
import { type Outcome, stillRunningItem } from '../../../../../nodes/shared/waiting/settleTasks';
import { createdAtOf } from '../../../../../nodes/shared/waiting/waitForTasks';

const NOW = Date.parse('2026-01-01T00:10:00.000Z');

function handedOff(extra: Partial<Outcome> = {}, item: Partial<Outcome['item']> = {}): Outcome {
	const task = parseTaskId('video_abc123');
	return {
		key: 0,
		taskId: task.id,
		outcome: 'stillRunning',
		polls: 3,
		elapsedMs: 120_000,
		last: { status: 'processing', raw: { status: 'processing' } },
		deadlineMs: NOW + 30 * 60_000,
		item: { itemIndex: 4, task, model: 'sora-2', ...item },
		...extra,
	};
}

describe('a Still Running item carries what the next pass needs', () => {
	test('its last status, when waiting began, its creation and its model', () => {
		const createdAtMs = NOW - 5 * 60_000;
		const { as, item } = stillRunningItem(handedOff({ createdAtMs }), { id: 'video_abc123' }, NOW - 120_000);
		expect(as).toBe('stillRunning');
		expect(item.pairedItem).toEqual({ item: 4 });
		expect(item.json).toMatchObject({
			id: 'video_abc123',
			status: 'processing',
			waiting_since: new Date(NOW - 120_000).toISOString(),
			task_created_at: new Date(createdAtMs).toISOString(),
			model: 'sora-2',
		});
		// The next pass reads the creation back: a task handed on still teaches its model a whole duration.
		expect(createdAtOf(item.json, 'video_abc123')).toBe(createdAtMs);
	});

	test('an earlier pass’s waiting_since and the item’s own model are kept; an unknown creation is left out', () => {
		const since = NOW - 20 * 60_000;
		const { item } = stillRunningItem(handedOff({}, { waitingSinceMs: since }), { id: 'video_abc123', model: 'sora-2-pro' }, NOW);
		expect(item.json.waiting_since).toBe(new Date(since).toISOString());
		expect(item.json.model).toBe('sora-2-pro');
		expect(item.json).not.toHaveProperty('task_created_at');
	});
});
