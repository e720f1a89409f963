import { delayBeforeRetry, isRetryable, parseRetryAfter } from '../../../../../nodes/shared/transport/retryPolicy';

describe('retry policy', () => {
	test('a create is retried only on 429: never on 5xx, time-outs or dropped connections', () => {
		expect(isRetryable('create', { status: 429 })).toBe(true);
		expect(isRetryable('create', { status: 500 })).toBe(false);
		expect(isRetryable('create', { status: 503 })).toBe(false);
		expect(isRetryable('create', { networkError: true })).toBe(false);
		expect(isRetryable('create', { status: 400 })).toBe(false);
	});

	test('a read is retried on 429, 5xx and network errors, not on 4xx', () => {
		expect(isRetryable('read', { status: 429 })).toBe(true);
		expect(isRetryable('read', { status: 502 })).toBe(true);
		expect(isRetryable('read', { networkError: true })).toBe(true);
		for (const status of [400, 401, 402, 404]) expect(isRetryable('read', { status })).toBe(false);
	});

	test('Retry-After is honoured, in seconds or as an HTTP date, and capped', () => {
		const low = () => 0;
		expect(delayBeforeRetry('create', 1, { status: 429, retryAfter: '2' }, undefined, low)).toBe(2000);
		expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
		expect(delayBeforeRetry('read', 1, { status: 429, retryAfter: '86400' }, undefined, low)).toBe(60_000);
		expect(parseRetryAfter('soon')).toBeUndefined();
	});

	test('after Retry-After, requests spread over up to one more second, so those that waited together do not meet the limit together', () => {
		expect(delayBeforeRetry('create', 1, { status: 429, retryAfter: '1' }, undefined, () => 0.999)).toBe(1999);
		// A short Retry-After is spread by itself at most.
		expect(delayBeforeRetry('create', 1, { status: 429, retryAfter: '0.2' }, undefined, () => 0.999)).toBe(400);
	});

	test('a 429 is tried again up to 10 attempts, even for a create (it was not accepted); other errors up to 5', () => {
		const tooMany = { status: 429, retryAfter: '1' };
		expect(delayBeforeRetry('create', 9, tooMany)).toBeDefined();
		expect(delayBeforeRetry('create', 10, tooMany)).toBeUndefined();
		expect(delayBeforeRetry('read', 4, { status: 500 })).toBeDefined();
		expect(delayBeforeRetry('read', 5, { status: 500 })).toBeUndefined();
	});

	test('backoff grows, is jittered, and stops after the last attempt', () => {
		const low = () => 0;
		const high = () => 0.999;
		expect(delayBeforeRetry('read', 1, { status: 500 }, undefined, low)).toBe(250);
		expect(delayBeforeRetry('read', 1, { status: 500 }, undefined, high)).toBe(500);
		expect(delayBeforeRetry('read', 3, { status: 500 }, undefined, low)).toBe(1000);
		expect(delayBeforeRetry('read', 5, { status: 500 })).toBeUndefined();
		expect(delayBeforeRetry('create', 1, { status: 500 })).toBeUndefined();
	});
});
