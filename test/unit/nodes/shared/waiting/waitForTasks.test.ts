import { apiTimeMs, createdAtOf } from '../../../../../nodes/shared/waiting/waitForTasks';

describe('apiTimeMs: the API timestamps the poller learns durations from', () => {
	test('whole seconds (the document’s status_update_time, created_at) stand for the middle of that second', () => {
		expect(apiTimeMs(1_767_225_600)).toBe(1_767_225_600_500);
		expect(apiTimeMs('1767225600')).toBe(1_767_225_600_500);
		expect(apiTimeMs(1_767_225_600.25)).toBe(1_767_225_600_250);
	});

	test('milliseconds and date strings are taken as they are', () => {
		expect(apiTimeMs(1_767_225_600_123)).toBe(1_767_225_600_123);
		expect(apiTimeMs('2026-01-01T00:00:00.000Z')).toBe(Date.parse('2026-01-01T00:00:00.000Z'));
	});

	test('anything else is no timestamp', () => {
		for (const value of [undefined, null, '', 'soon', 0, -5, Number.NaN, {}, true])
			expect(apiTimeMs(value)).toBeUndefined();
	});
});

describe('createdAtOf: when a task was created, from the item that carries its create response', () => {
	const id = 'veo3:1767225600-abcdefgh';

	test('created_at (/v1/videos), or the status_update_time of a task still pending (/v1/video/create)', () => {
		expect(createdAtOf({ id, created_at: 1_767_225_600 }, id)).toBe(1_767_225_600_500);
		expect(
			createdAtOf({ task_id: id, status: 'pending', status_update_time: 1_767_225_600 }, id),
		).toBe(1_767_225_600_500);
	});

	test('a later status’s time is not the creation; no item, no time', () => {
		expect(
			createdAtOf({ id, status: 'processing', status_update_time: 1_767_225_600 }, id),
		).toBeUndefined();
		expect(createdAtOf({ id }, id)).toBeUndefined();
		expect(createdAtOf(undefined, id)).toBeUndefined();
	});

	test('an item about something else (another id, or none) does not date the task', () => {
		expect(createdAtOf({ id: 'row-7', created_at: 1_767_225_600 }, id)).toBeUndefined();
		expect(createdAtOf({ created_at: 1_767_225_600 }, id)).toBeUndefined();
	});
});
