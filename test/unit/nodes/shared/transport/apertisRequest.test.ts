import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { PACE } from '../../../../../nodes/shared/pacing/adaptivePace';
import { keyStateFor } from '../../../../../nodes/shared/pacing/perKey';
import { apertisRequest } from '../../../../../nodes/shared/transport/apertisRequest';

interface Sent {
	at: number;
	url: string;
}

/** A fake API every fake execution talks to: answers 429 (Retry-After: 1) to the requests numbered in `limited`. */
function fakeApi(limited: Set<number>) {
	const sent: Sent[] = [];
	const answer = async (options: IHttpRequestOptions) => {
		sent.push({ at: Date.now(), url: String(options.url) });
		if (limited.has(sent.length)) return { statusCode: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down' } } };
		return { statusCode: 200, headers: {}, body: { id: `task-${sent.length}`, status: 'pending' } };
	};
	return { sent, answer };
}

/** Just enough of IExecuteFunctions for the transport: one execution with the given credential. */
function execution(baseUrl: string, apiKey: string, answer: (o: IHttpRequestOptions) => Promise<unknown>): IExecuteFunctions {
	return {
		getCredentials: async () => ({ baseUrl, apiKey }),
		getNode: () => ({ name: 'Video Create', type: 'test', typeVersion: 1, position: [0, 0], parameters: {}, id: 'n1' }),
		getExecutionCancelSignal: () => undefined,
		logger: { debug: () => {} },
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => await answer(options),
			httpRequest: async (options: IHttpRequestOptions) => await answer(options),
		},
	} as unknown as IExecuteFunctions;
}

const create = (ctx: IExecuteFunctions, itemIndex: number) =>
	apertisRequest(ctx, { method: 'POST', path: '/v1/video/create', body: { model: 'veo3', prompt: 'p' }, kind: 'create', itemIndex });

describe('apertisRequest: every request waits for its slot in the pace of its API key', () => {
	test('a 429 met by one execution pauses the other execution with the same key for its Retry-After', async () => {
		const baseUrl = `https://pace-${Date.now()}.example.test`;
		const api = fakeApi(new Set([1]));
		const one = execution(baseUrl, 'sk-shared', api.answer);
		const two = execution(baseUrl, 'sk-shared', api.answer);
		const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
		// Two met the 429 first; one starts 100 ms later, while the pause is on.
		const [fromTwo, fromOne] = await Promise.all([create(two, 0), later(100).then(() => create(one, 0))]);
		expect([fromTwo, fromOne].map((task) => task.id).sort()).toEqual(['task-2', 'task-3']);
		expect(api.sent).toHaveLength(3);
		// Nobody sent anything during the 1-s pause: the next request came after it, for both executions.
		expect(api.sent[1].at - api.sent[0].at).toBeGreaterThanOrEqual(950);
		expect(api.sent[2].at - api.sent[0].at).toBeGreaterThanOrEqual(950);
		expect(keyStateFor(baseUrl, 'sk-shared').pace.requestsPerSecond).toBeLessThan(PACE.initialRate);
	});

	test('another key is not slowed by that 429', async () => {
		const baseUrl = `https://pace-${Date.now()}-b.example.test`;
		const api = fakeApi(new Set([1]));
		await create(execution(baseUrl, 'sk-first', api.answer), 0);
		const started = Date.now();
		await create(execution(baseUrl, 'sk-second', api.answer), 0);
		expect(Date.now() - started).toBeLessThan(500);
		expect(keyStateFor(baseUrl, 'sk-second').pace.requestsPerSecond).toBeGreaterThanOrEqual(PACE.initialRate);
	});

	test('requests that succeed one after another raise the pace (slow start)', async () => {
		const baseUrl = `https://pace-${Date.now()}-c.example.test`;
		const api = fakeApi(new Set());
		const ctx = execution(baseUrl, 'sk-busy', api.answer);
		const started = Date.now();
		for (let i = 0; i < 20; i++) await create(ctx, i);
		// At the initial 10 requests/s throughout, 20 creates would take 1.9 s.
		expect(Date.now() - started).toBeLessThan(1500);
		expect(keyStateFor(baseUrl, 'sk-busy').pace.requestsPerSecond).toBeGreaterThan(20);
	});

	test('a video on another host (its storage) is not an API request: it waits for no slot, not even a 429’s pause', async () => {
		const baseUrl = `https://pace-${Date.now()}-d.example.test`;
		const api = fakeApi(new Set([1]));
		const ctx = execution(baseUrl, 'sk-video', api.answer);
		const pending = create(ctx, 0);
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(keyStateFor(baseUrl, 'sk-video').pace.isPausedAt(Date.now())).toBe(true);
		const started = Date.now();
		await apertisRequest(ctx, { method: 'GET', path: 'video_url', absoluteUrl: 'https://storage.example.test/v.mp4', kind: 'read', itemIndex: 0 });
		expect(Date.now() - started).toBeLessThan(300);
		await pending;
	});
});
