import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { ByteStream } from './byteStream';

import { executionStopped } from '../errors';
import type { AdaptivePace, PaceTicket } from '../pacing/adaptivePace';
import { paceOfKey } from '../pacing/adaptivePace';
import { cancellableSleep } from '../sleep';
import type { ApiFailure } from './apiErrors';
import { toNodeApiError } from './apiErrors';
import type { AttemptFailure, RequestKind } from './retryPolicy';
import { DEFAULT_RETRY_POLICY, delayBeforeRetry, parseRetryAfter } from './retryPolicy';
import { readErrorBody } from './readErrorBody';

export const CREDENTIAL_TYPE = 'apertisApi';

export interface ApertisRequest {
	method: IHttpRequestMethods;
	/** Path below the credential's base URL, e.g. `/v1/video/create`. */
	path: string;
	/**
	 * An absolute URL to read instead (a finished video's `video_url`). The API key is sent only when it points at
	 * the credential's own origin: a storage host elsewhere never sees it.
	 */
	absoluteUrl?: string;
	qs?: IDataObject;
	headers?: IDataObject;
	/**
	 * JSON body, or a factory for bodies that can be sent only once (multipart streams): it is called again
	 * for each attempt.
	 */
	body?: IDataObject | (() => Promise<NonNullable<IHttpRequestOptions['body']>>);
	kind: RequestKind;
	itemIndex: number;
	/** Named in 404 messages and carried on every error, so a created task is never lost. */
	taskId?: string;
	timeoutMs?: number;
	/** 1 for callers that retry on their own terms (the poller); defaults to the retry policy's attempts. */
	maxAttempts?: number;
	/**
	 * The caller books its slots in the key's pace and reports the answers itself (the poller, which decides which
	 * task's check goes next). Every other request to the API waits here for its slot in the pace of its API key.
	 */
	pacedByCaller?: boolean;
}

export interface StreamResponse {
	body: ByteStream;
	headers: Record<string, string | string[] | undefined>;
	statusCode: number;
}

interface FullResponse<T> {
	body: T;
	headers: Record<string, string | string[] | undefined>;
	statusCode: number;
}

/**
 * How long one attempt may take: a status answer comes within a second or two, a create within a few. A minute is
 * far beyond either, yet short enough that a hung connection is given up and retried.
 */
const DEFAULT_TIMEOUT_MS = 60_000;

type Credentials = { baseUrl: string; apiKey: string };

/** The credential of each running node, read (decrypted) once for all its requests. */
const credentialsOfRun = new WeakMap<IExecuteFunctions, Promise<Credentials>>();

/** The credential's base URL and key, read once per node execution (not per request or attempt). */
export async function getBaseUrl(ctx: IExecuteFunctions): Promise<Credentials> {
	const known = credentialsOfRun.get(ctx);
	if (known) return await known;
	const reading = readCredentials(ctx);
	credentialsOfRun.set(ctx, reading);
	// A failed read is not kept: the error is the node's, and a retry of the node reads again.
	reading.catch(() => credentialsOfRun.delete(ctx));
	return await reading;
}

async function readCredentials(ctx: IExecuteFunctions): Promise<Credentials> {
	const credentials = await ctx.getCredentials<{ baseUrl?: string; apiKey?: string }>(
		CREDENTIAL_TYPE,
	);
	const baseUrl = (credentials.baseUrl || 'https://api.apertis.ai').trim().replace(/\/+$/, '');
	if (!/^https?:\/\/[^/]/i.test(baseUrl)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The Base URL of the Apertis API credential is not an http(s) URL`,
			{
				description: 'Open the credential and set Base URL to e.g. https://api.apertis.ai',
			},
		);
	}
	return { baseUrl, apiKey: credentials.apiKey ?? '' };
}

/** A JSON request to the Apertis API, with the retry policy of retryPolicy.ts. */
export async function apertisRequest<T = IDataObject>(
	ctx: IExecuteFunctions,
	request: ApertisRequest,
): Promise<T> {
	const response = await send<T>(ctx, request, 'json');
	return response.body;
}

/** A request whose answer is read as a stream (Server-Sent Events, video bytes). */
export async function apertisStreamRequest(
	ctx: IExecuteFunctions,
	request: ApertisRequest,
): Promise<StreamResponse> {
	return await send<ByteStream>(ctx, request, 'stream');
}

type Failure = AttemptFailure & { body?: unknown; networkError?: boolean; reason?: string };

async function send<T>(
	ctx: IExecuteFunctions,
	request: ApertisRequest,
	encoding: 'json' | 'stream',
): Promise<FullResponse<T>> {
	const { baseUrl, apiKey } = await getBaseUrl(ctx);
	const pace = paceOf(request, baseUrl, apiKey);
	const policy = request.maxAttempts
		? {
				...DEFAULT_RETRY_POLICY,
				maxAttempts: request.maxAttempts,
				maxAttemptsOn429: request.maxAttempts,
			}
		: undefined;
	for (let attempt = 1; ; attempt++) {
		throwIfCancelled(ctx, request);
		const ticket = pace && (await waitForSlot(pace, paceClockOf(ctx)));
		if (pace && !ticket) throwIfCancelled(ctx, request);
		const result = await attemptOnce<T>(ctx, request, encoding, baseUrl);
		if (pace && ticket) reportAnswer(pace, ticket, Date.now(), answerOf(result));
		if ('response' in result) return result.response;
		const failure = result.failure;
		const delay = delayBeforeRetry(request.kind, attempt, failure, policy);
		if (delay === undefined)
			throw toNodeApiError(ctx.getNode(), reportOf(request, attempt, failure), apiKey);
		ctx.logger.debug(
			`Apertis ${request.method} ${request.path} attempt ${attempt} failed (${failure.status ?? failure.reason}); retrying in ${delay} ms`,
		);
		await cancellableSleep(delay, ctx.getExecutionCancelSignal());
	}
}

/**
 * The pace a request waits for: its API key's, shared by every caller of the key. None for the poller (it books its
 * own slots, see pacedByCaller) and none for a video on another host (its storage): that is not the API's limit.
 */
export function paceOf(
	request: Pick<ApertisRequest, 'absoluteUrl' | 'pacedByCaller'>,
	baseUrl: string,
	apiKey: string,
): AdaptivePace | undefined {
	const toApi = sameOrigin(request.absoluteUrl ?? baseUrl, baseUrl);
	return request.pacedByCaller || !toApi ? undefined : paceOfKey(baseUrl, apiKey);
}

/** A clock, and a sleep that a cancel cuts short (false). */
export interface SlotClock {
	now(): number;
	sleep(ms: number): Promise<boolean>;
}

function paceClockOf(ctx: IExecuteFunctions): SlotClock {
	const signal = ctx.getExecutionCancelSignal();
	return { now: () => Date.now(), sleep: async (ms: number) => await cancellableSleep(ms, signal) };
}

/**
 * Waits for the caller's slot in `pace`. A 429 that arrives meanwhile pauses everyone, so a slot booked before it
 * is booked again after the pause. Undefined when the sleep was cut short (the execution was cancelled).
 */
export async function waitForSlot(
	pace: AdaptivePace,
	clock: SlotClock,
): Promise<PaceTicket | undefined> {
	for (;;) {
		const ticket = pace.take(clock.now());
		if (!(await clock.sleep(Math.max(0, ticket.startAt - clock.now())))) return undefined;
		if (!pace.isPausedAt(ticket.startAt)) return ticket;
	}
}

/** An answer to a paced request: a 429 slows every caller of the key; any other status lets the pace grow. */
export function reportAnswer(
	pace: AdaptivePace,
	ticket: PaceTicket,
	now: number,
	answer: { status?: number; retryAfterMs?: number },
): void {
	if (answer.status === 429) pace.rateLimited(ticket, now, answer.retryAfterMs);
	else if (answer.status !== undefined) pace.succeeded(ticket);
}

/** What the pace learns from an attempt: its status (none for a network error) and Retry-After. */
function answerOf(result: { response: FullResponse<unknown> } | { failure: Failure }) {
	if ('response' in result) return { status: result.response.statusCode };
	const { status, retryAfter } = result.failure;
	return { status, retryAfterMs: parseRetryAfter(retryAfter) };
}

/** One HTTP exchange: the response when it succeeded, else what went wrong (status, Retry-After, body). */
async function attemptOnce<T>(
	ctx: IExecuteFunctions,
	request: ApertisRequest,
	encoding: 'json' | 'stream',
	baseUrl: string,
): Promise<{ response: FullResponse<T> } | { failure: Failure }> {
	const url = request.absoluteUrl ?? `${baseUrl}${request.path}`;
	const options: IHttpRequestOptions = {
		method: request.method,
		url,
		qs: request.qs,
		headers: request.headers,
		body: typeof request.body === 'function' ? await request.body() : request.body,
		json: encoding === 'json',
		encoding,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
	};
	try {
		const response = (
			sameOrigin(url, baseUrl)
				? await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, options)
				: await ctx.helpers.httpRequest(withCancelSignal(options, ctx.getExecutionCancelSignal()))
		) as FullResponse<T>;
		if (response.statusCode < 400) return { response };
		const body =
			encoding === 'stream' ? await readErrorBody(response.body as ByteStream) : response.body;
		return {
			failure: { status: response.statusCode, retryAfter: response.headers['retry-after'], body },
		};
	} catch (error) {
		throwIfCancelled(ctx, request);
		return { failure: { networkError: true, reason: networkReason(error) } };
	}
}

function reportOf(request: ApertisRequest, attempts: number, failure: Failure): ApiFailure {
	return {
		method: request.method,
		path: request.path,
		kind: request.kind,
		itemIndex: request.itemIndex,
		attempts,
		status: failure.status,
		body: failure.body,
		networkError: failure.networkError ? failure.reason : undefined,
		retryAfter: failure.retryAfter,
		taskId: request.taskId,
	};
}

function sameOrigin(url: string, baseUrl: string): boolean {
	try {
		return new URL(url).origin === new URL(baseUrl).origin;
	} catch {
		return false;
	}
}

/** httpRequestWithAuthentication wires the cancel signal itself; the plain helper needs it passed. */
function withCancelSignal(
	options: IHttpRequestOptions,
	signal: AbortSignal | undefined,
): IHttpRequestOptions {
	return signal ? { ...options, abortSignal: signal } : options;
}

function throwIfCancelled(ctx: IExecuteFunctions, request: ApertisRequest): void {
	if (ctx.getExecutionCancelSignal()?.aborted) {
		throw executionStopped(
			ctx.getNode(),
			request.taskId ? [request.taskId] : [],
			request.itemIndex,
		);
	}
}

/** The network error's code (ECONNREFUSED, ETIMEDOUT…) from n8n's wrapped axios error, never its config. */
function networkReason(error: unknown): string {
	const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
	const code = cause?.code ?? (error as { code?: unknown })?.code;
	if (typeof code === 'string' && code) return code === 'ECONNABORTED' ? 'time-out' : code;
	const message = cause?.message ?? (error as { message?: unknown })?.message;
	return typeof message === 'string' && message ? message : 'network error';
}
