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

	test.each(['', '   ', undefined, 'hello', 'video_', 'veo3:', 'veo3:abc/../x', '../etc/passwd'])('rejects %j', (id) => {
		expect(() => parseTaskId(id)).toThrow(InvalidParameter);
	});
});
