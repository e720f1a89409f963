import { parseTaskId, statusRequestOf } from '../../../../nodes/shared/taskIds';
import { InvalidParameter } from '../../../../nodes/shared/errors';

describe('task ids', () => {
	test.each([
		['veo3:1234567890-abcdefgh', 'videoQuery', 'veo3'],
		['sora-2:1234567890-abcdefgh', 'videoQuery', 'sora-2'],
		['veo3.1-fast:1234567890-abcdefgh', 'videoQuery', 'veo3.1-fast'],
		[' video_55cb73b3-60af-40c8-95fd-eae8fd758ade ', 'videos', undefined],
	])('%s goes to the %s API', (id, api, model) => {
		const task = parseTaskId(id);
		expect(task).toEqual({ id: id.trim(), api, ...(model ? { model } : {}) });
	});

	test('status requests go to the right endpoint, with the id encoded', () => {
		expect(statusRequestOf(parseTaskId('veo3:1-a'))).toEqual({ path: '/v1/video/query', qs: { id: 'veo3:1-a' } });
		expect(statusRequestOf(parseTaskId('video_ab-1'))).toEqual({ path: '/v1/videos/video_ab-1' });
	});

	test.each([
		['sora-2:task_01k9009g8ef1esae6388chgcpx', 'videoQuery', 'sora-2'],
		['task_01k9009g8ef1esae6388chgcpx', 'videoQuery', undefined],
		['88123456', 'videoQuery', undefined],
		['1770350082-trii1OXZc3', 'videoQuery', undefined],
		['video_68f3a1b2c4d5e6f7', 'videos', undefined],
	])('an id of another shape (%s) is accepted and goes to the %s API', (id, api, model) => {
		expect(parseTaskId(id)).toEqual({ id, api, ...(model ? { model } : {}) });
	});

	test('a number is read as its digits', () => {
		expect(parseTaskId(88123456)).toEqual({ id: '88123456', api: 'videoQuery' });
	});

	test('an id with a slash stays inside its path segment', () => {
		expect(statusRequestOf(parseTaskId('video_../x'))).toEqual({ path: '/v1/videos/video_..%2Fx' });
	});

	test.each(['', '   ', undefined, null, {}, ['veo3:1-a']])('refuses %j: empty or not text', (id) => {
		expect(() => parseTaskId(id)).toThrow(InvalidParameter);
	});
});
