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
import { keyStateFor } from '../pacing/perKey';
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

const DEFAULT_TIMEOUT_MS = 60_000;

export async function getBaseUrl(
	ctx: IExecuteFunctions,
): Promise<{ baseUrl: string; apiKey: string }> {
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
	// The key's pace is the API's: a video on another host (its storage) is fetched without the key and unpaced.
	const toApi = sameOrigin(request.absoluteUrl ?? baseUrl, baseUrl);
	const pace = request.pacedByCaller || !toApi ? undefined : keyStateFor(baseUrl, apiKey).pace;
	const policy = request.maxAttempts
		? { ...DEFAULT_RETRY_POLICY, maxAttempts: request.maxAttempts }
		: undefined;
	for (let attempt = 1; ; attempt++) {
		throwIfCancelled(ctx, request);
		const ticket = pace && (await bookSlot(ctx, request, pace));
		const result = await attemptOnce<T>(ctx, request, encoding, baseUrl);
		if (pace && ticket) reportToPace(pace, ticket, result);
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
 * Waits for this request's slot in the key's pace. A 429 that arrives meanwhile pauses everyone, so a slot booked
 * before it is booked again after the pause.
 */
async function bookSlot(
	ctx: IExecuteFunctions,
	request: ApertisRequest,
	pace: AdaptivePace,
): Promise<PaceTicket> {
	for (;;) {
		const ticket = pace.take(Date.now());
		const slept = await cancellableSleep(
			Math.max(0, ticket.startAt - Date.now()),
			ctx.getExecutionCancelSignal(),
		);
		if (!slept) throwIfCancelled(ctx, request);
		if (!pace.isPausedAt(ticket.startAt)) return ticket;
	}
}

/** A 429 slows every caller of the key; any other answer from the API lets the pace grow. */
function reportToPace(
	pace: AdaptivePace,
	ticket: PaceTicket,
	result: { response: unknown } | { failure: Failure },
): void {
	if ('response' in result) return pace.succeeded(ticket);
	const { failure } = result;
	if (failure.status === 429) {
		pace.rateLimited(ticket, Date.now(), parseRetryAfter(failure.retryAfter));
	} else if (failure.status !== undefined) {
		pace.succeeded(ticket);
	}
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
