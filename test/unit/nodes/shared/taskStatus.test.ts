import { failureReasonOf, finalStateOf, progressOf, videoUrlOf } from '../../../../nodes/shared/taskStatus';

describe('finalStateOf: one rule for every node', () => {
	test.each(['completed', 'COMPLETED', ' Completed ', 'succeeded', 'success', 'SUCCESS'])('%j is completed', (status) => {
		expect(finalStateOf(status)).toBe('completed');
	});

	test.each(['failed', 'FAILED', 'error', 'failure', 'cancelled', 'canceled', 'expired', 'rejected', 'video_generation_failed', 'VIDEO_UPSAMPLING_FAILED'])('%j is failed', (status) => {
		expect(finalStateOf(status)).toBe('failed');
	});

	test.each(['pending', 'processing', 'queued', 'in_progress', 'IN_PROGRESS', 'image_downloading', 'video_generating', 'video_generation_completed', 'video_upsampling', 'video_upsampling_completed', '', undefined, null, 42])('%j is still running', (status) => {
		// video_generation_completed is a stage: upsampling may follow, and only `completed` ends the task.
		expect(finalStateOf(status)).toBe('running');
	});
});

describe('failureReasonOf: wherever the API put it', () => {
	test.each([
		[{ error: 'content policy' }, 'content policy'],
		[{ error: { message: 'quota' } }, 'quota'],
		[{ fail_reason: 'timeout upstream' }, 'timeout upstream'],
		[{ detail: { video_generation_error: 'unsafe prompt' } }, 'unsafe prompt'],
		[{ detail: { error_message: 'retry 3 failed' } }, 'retry 3 failed'],
		[{ error: '  ', detail: { video_generation_error: 'second place' } }, 'second place'],
		[{}, undefined],
	])('%j → %j', (answer, reason) => {
		expect(failureReasonOf(answer)).toBe(reason);
	});
});

describe('videoUrlOf: the upsampled file first', () => {
	test('detail.upsample_video_url before video_url', () => {
		expect(videoUrlOf({ video_url: 'https://s.example.com/a.mp4', detail: { upsample_video_url: 'https://s.example.com/a-up.mp4' } })).toBe('https://s.example.com/a-up.mp4');
	});

	test('video_url alone; nothing that is not an http(s) URL', () => {
		expect(videoUrlOf({ video_url: 'https://s.example.com/a.mp4' })).toBe('https://s.example.com/a.mp4');
		expect(videoUrlOf({ video_url: null })).toBeUndefined();
		expect(videoUrlOf({ video_url: 'file:///etc/passwd' })).toBeUndefined();
	});
});

describe('progressOf: numbers and numeric strings', () => {
	test.each([
		[45, 45],
		['45', 45],
		['45%', 45],
		['', undefined],
		['soon', undefined],
		[null, undefined],
	])('%j → %j', (value, progress) => {
		expect(progressOf(value)).toBe(progress);
	});
});
