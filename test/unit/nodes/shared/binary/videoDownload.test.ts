// The name a downloaded video gets. downloadVideo and withVideo read n8n's execution context (credentials, HTTP, the
// binary store), which no test fakes: they run in-process. test/inprocess/videoDownload.test.ts: the /content
// endpoint, a video_url on the storage host (which never gets the key), a task without a video URL, a refused
// download naming the task and never the key; videoCreate.test.ts, videoFromImage.test.ts and waitUntilDone.test.ts:
// the nodes' downloads, byte for byte. Refusing a video too big for n8n's database binary mode needs a real n8n
// (test/e2e/binaryDatabaseMode.test.ts).
import { videoFileName } from '../../../../../nodes/shared/binary/videoDownload';

describe('videoFileName: a file name users can save as is', () => {
	test.each([
		['veo3:1234567890-abcdefgh', 'veo3_1234567890-abcdefgh.mp4'],
		['veo3.1-fast:1234567890-abcdefgh', 'veo3.1-fast_1234567890-abcdefgh.mp4'],
		['video_55cb73b3-60af-40c8-95fd-eae8fd758ade', 'video_55cb73b3-60af-40c8-95fd-eae8fd758ade.mp4'],
	])('%s → %s', (taskId, fileName) => {
		expect(videoFileName(taskId)).toBe(fileName);
	});

	test('path separators and other characters file systems refuse become one underscore per run', () => {
		expect(videoFileName('sora-2:task/../a\\b c?*')).toBe('sora-2_task_.._a_b_c_.mp4');
	});
});
