import type { ModelSpec } from '../../../../../nodes/shared/catalogue/models';
import { findModel, resolveModel } from '../../../../../nodes/shared/catalogue/models';
import { normalizeImageUrls, requestBody } from '../../../../../nodes/shared/catalogue/parameters';
import { InvalidParameter } from '../../../../../nodes/shared/errors';

/** The rows read an item's values by name, as the node reads them with getNodeParameter. */
const buildVideoCreateBody = (spec: ModelSpec, input: Record<string, unknown>) => requestBody(spec, (name) => input[name]);
const resolveCreateModel = (value: unknown) => resolveModel('videoCreate', value);

function model(id: string) {
	const spec = findModel(id);
	if (!spec) throw new Error(`no model ${id}`);
	return spec;
}

function rejection(fn: () => unknown): InvalidParameter {
	try {
		fn();
	} catch (error) {
		if (error instanceof InvalidParameter) return error;
		throw error;
	}
	throw new Error('expected an InvalidParameter');
}

describe('resolveCreateModel', () => {
	test('accepts every create model and rejects others with a hint', () => {
		expect(resolveCreateModel(' veo3 ').id).toBe('veo3');
		const unknown = rejection(() => resolveCreateModel('veo9'));
		expect(unknown.parameter).toBe('model');
		expect(unknown.message).toBe('Model "veo9" is not a Video Create model');
		expect(unknown.hint).toContain('veo2, veo2-fast');
		expect(rejection(() => resolveCreateModel('veo_3_1')).hint).toContain('Video From Image');
		expect(rejection(() => resolveCreateModel('')).message).toBe('Model is empty');
	});
});

describe('buildVideoCreateBody', () => {
	test('veo3 sends its parameters and nothing a Sora model takes', () => {
		const body = buildVideoCreateBody(model('veo3'), {
			model: 'veo3',
			prompt: '  a lake  ',
			enhancePrompt: true,
			enableUpsample: false,
			aspectRatio: '9:16',
			orientation: 'portrait',
			duration: 15,
			imageUrls: ['https://example.com/a.jpg'],
		});
		expect(body).toEqual({ model: 'veo3', prompt: 'a lake', enhance_prompt: true, enable_upsample: false, aspect_ratio: '9:16' });
	});

	test('veo2 never sends aspect_ratio', () => {
		const body = buildVideoCreateBody(model('veo2'), { model: 'veo2', prompt: 'p', aspectRatio: '16:9' });
		expect(body).toEqual({ model: 'veo2', prompt: 'p', enhance_prompt: false, enable_upsample: false });
	});

	test('sora-2-pro maps every Sora parameter to the API names', () => {
		const body = buildVideoCreateBody(model('sora-2-pro'), {
			model: 'sora-2-pro',
			prompt: 'dance',
			imageUrls: ['https://example.com/ref.jpg'],
			orientation: 'portrait',
			size: 'large',
			duration: '15',
			watermark: false,
			private: true,
			characterUrl: 'https://example.com/c.mp4',
			characterTimestamps: ' 0 , 3 ',
			enhancePrompt: true,
			aspectRatio: '16:9',
		});
		expect(body).toEqual({
			model: 'sora-2-pro',
			prompt: 'dance',
			images: ['https://example.com/ref.jpg'],
			orientation: 'portrait',
			size: 'large',
			duration: 15,
			watermark: false,
			private: true,
			character_url: 'https://example.com/c.mp4',
			character_timestamps: '0,3',
		});
	});

	test.each([
		['veo2-fast-frames', 3, 'Model veo2-fast-frames takes at most 2 reference images, got 3'],
		['veo3-pro-frames', 2, 'Model veo3-pro-frames takes at most 1 reference image, got 2'],
		['veo2-fast-components', 4, 'Model veo2-fast-components takes at most 3 reference images, got 4'],
	])('%s rejects %d images', (id, count, message) => {
		const urls = Array.from({ length: count }, (_, i) => `https://example.com/${i}.jpg`);
		const error = rejection(() => buildVideoCreateBody(model(id), { model: id, prompt: 'p', imageUrls: urls }));
		expect(error.parameter).toBe('imageUrls');
		expect(error.message).toBe(message);
	});

	test('frames models may go without images and then send none', () => {
		expect(buildVideoCreateBody(model('veo2-fast-frames'), { model: 'x', prompt: 'p', imageUrls: [] })).not.toHaveProperty('images');
	});

	test('Sora needs at least one image', () => {
		const error = rejection(() => buildVideoCreateBody(model('sora-2'), { model: 'sora-2', prompt: 'p', imageUrls: [], duration: 10 }));
		expect(error.message).toBe('Model sora-2 needs at least 1 reference image URL');
	});

	test.each(['ftp://example.com/a.jpg', 'example.com/a.jpg', 'not a url', 'https://'])('rejects the image URL %s', (url) => {
		const error = rejection(() => buildVideoCreateBody(model('veo2-fast-frames'), { model: 'x', prompt: 'p', imageUrls: [url] }));
		expect(error.parameter).toBe('imageUrls');
		expect(error.message).toContain('is not an http(s) URL');
	});

	test.each([
		['sora-2', 15],
		['sora-2', 25],
		['sora-2-pro', 20],
		['sora-2-pro', 'ten'],
	])('%s rejects duration %s', (id, duration) => {
		const error = rejection(() => buildVideoCreateBody(model(id), { model: id, prompt: 'p', imageUrls: ['https://e.com/a.png'], duration }));
		expect(error.parameter).toBe('duration');
		expect(error.hint).toContain('Use one of:');
	});

	test('rejects an aspect ratio the model does not take', () => {
		const error = rejection(() => buildVideoCreateBody(model('veo3.1'), { model: 'veo3.1', prompt: 'p', aspectRatio: '4:3' }));
		expect(error).toMatchObject({ parameter: 'aspectRatio', message: 'Aspect ratio "4:3" is not supported by model veo3.1' });
	});

	test.each(['3,0', '0-3', '0,', 'a,b', '1,1'])('rejects character timestamps %s', (timestamps) => {
		const error = rejection(() =>
			buildVideoCreateBody(model('sora-2'), {
				model: 'sora-2',
				prompt: 'p',
				imageUrls: ['https://e.com/a.png'],
				duration: 10,
				characterUrl: 'https://e.com/c.mp4',
				characterTimestamps: timestamps,
			}),
		);
		expect(error.parameter).toBe('characterTimestamps');
	});

	test('timestamps without a character URL are rejected', () => {
		const error = rejection(() =>
			buildVideoCreateBody(model('sora-2'), { model: 'sora-2', prompt: 'p', imageUrls: ['https://e.com/a.png'], duration: 10, characterTimestamps: '0,3' }),
		);
		expect(error.message).toBe('Character timestamps are set but Character URL is empty');
	});

	test.each(['', '   ', undefined, null])('rejects the empty prompt %j', (prompt) => {
		expect(rejection(() => buildVideoCreateBody(model('veo3'), { model: 'veo3', prompt })).parameter).toBe('prompt');
	});
});

describe('normalizeImageUrls', () => {
	test('flattens arrays from expressions and splits newline-separated lists', () => {
		expect(normalizeImageUrls([['https://a/1.png', ' '], 'https://a/2.png\nhttps://a/3.png', null])).toEqual([
			'https://a/1.png',
			'https://a/2.png',
			'https://a/3.png',
		]);
		expect(normalizeImageUrls(undefined)).toEqual([]);
	});
});
