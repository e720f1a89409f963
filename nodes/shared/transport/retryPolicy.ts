/**
 * When to try a request again, and how long to wait first.
 *
 * Cost safety: a POST that creates a paid task is retried only on 429, because a 429 means the task was not
 * accepted. A 5xx, a time-out or a dropped connection on a create may come after the task was created and billed,
 * so retrying could pay for it twice: those fail at once, and the error says so. Reads (GET) are free and idempotent:
 * they are retried on 429, 5xx and network errors.
 */

import { MAX_RETRY_AFTER_MS } from '../pacing/adaptivePace';

/** `create` starts a paid task; `read` is an idempotent GET. */
export type RequestKind = 'create' | 'read';

export interface AttemptFailure {
	/** HTTP status, when the server answered. */
	status?: number;
	/** The raw Retry-After header, when the server sent one. */
	retryAfter?: string | string[];
	/** True when no HTTP answer arrived (connection refused/reset, DNS, time-out). */
	networkError?: boolean;
}

export interface RetryPolicy {
	maxAttempts: number;
	/**
	 * Attempts while the answer is 429. A 429 costs nothing and was not accepted, so even a create may try again;
	 * only a limit that outlasts this many Retry-After waits fails the item.
	 */
	maxAttemptsOn429: number;
	baseDelayMs: number;
	maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 5,
	// Ten 429s in a row: at least ten Retry-After waits (seconds each), well beyond a burst's overload. With 429s
	// on one request in five (the sandbox's rateLimitEvery), five attempts failed one create in a few thousand.
	maxAttemptsOn429: 10,
	baseDelayMs: 500,
	maxDelayMs: 10_000,
};

export function isRetryable(kind: RequestKind, failure: AttemptFailure): boolean {
	if (failure.status === 429) return true;
	if (kind === 'create') return false;
	return failure.networkError === true || (failure.status !== undefined && failure.status >= 500);
}

/** Milliseconds to wait before attempt `attempt + 1` (attempt counts from 1), or undefined to give up. */
export function delayBeforeRetry(
	kind: RequestKind,
	attempt: number,
	failure: AttemptFailure,
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
	random: () => number = Math.random,
): number | undefined {
	const attempts = failure.status === 429 ? policy.maxAttemptsOn429 : policy.maxAttempts;
	if (attempt >= attempts || !isRetryable(kind, failure)) return undefined;
	const retryAfterMs = parseRetryAfter(failure.retryAfter);
	if (retryAfterMs !== undefined) {
		// Retry-After is the earliest moment, not a meeting time: requests that all waited exactly that long would
		// arrive together and meet the limit again, often in the same order (the same item last every time). Each
		// waits up to one backoff step (or Retry-After again, if shorter) longer, at random.
		const spread = Math.min(retryAfterMs, 2 * policy.baseDelayMs);
		return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) + Math.round(random() * spread);
	}
	// Exponential backoff with full jitter: spreads retries of many items so they do not arrive together.
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(
	header: string | string[] | undefined,
	now = Date.now(),
): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
