import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { RequestKind } from './retryPolicy';
import { parseRetryAfter } from './retryPolicy';

/** What went wrong on the wire, stripped of anything secret (no request headers, no config). */
export interface ApiFailure {
	method: string;
	path: string;
	kind: RequestKind;
	itemIndex: number;
	attempts: number;
	status?: number;
	/** The API's parsed error body, when it sent one. */
	body?: unknown;
	/** Network error code or message, when no HTTP answer arrived. */
	networkError?: string;
	/** The raw Retry-After header of a 429 or 503, for callers that pace themselves (the poller). */
	retryAfter?: string | string[];
	taskId?: string;
}

/** The API's own words from an OpenAI-style `{ error: { message } }` body, or a plain `{ message }`. */
export function apiMessage(body: unknown): string | undefined {
	if (typeof body === 'string') return body.trim() || undefined;
	if (!body || typeof body !== 'object') return undefined;
	const record = body as Record<string, unknown>;
	const error = record.error;
	if (typeof error === 'string') return error;
	if (error && typeof error === 'object') {
		const message = (error as Record<string, unknown>).message;
		if (typeof message === 'string') return message;
	}
	return typeof record.message === 'string' ? record.message : undefined;
}

function retriedNote(failure: ApiFailure): string {
	return failure.attempts > 1 ? ` after ${failure.attempts} attempts` : '';
}

function describe(failure: ApiFailure): { message: string; description: string } {
	const { status, kind, itemIndex, taskId } = failure;
	const api = apiMessage(failure.body);
	const where = `${failure.method} ${failure.path} (item ${itemIndex})`;
	const taskNote = taskId ? ` Task id: ${taskId}.` : '';
	const createNote =
		kind === 'create'
			? ' A create request is not retried on this error, because the task may already have been created and billed; check your Apertis dashboard before running the item again.'
			: '';

	if (failure.networkError !== undefined) {
		return {
			message: `Could not reach the Apertis API${retriedNote(failure)}: ${failure.networkError}`,
			description: `${where}. Check the Base URL of the Apertis API credential and your network.${createNote}${taskNote}`,
		};
	}
	switch (status) {
		case 400:
			return {
				message: `The Apertis API rejected the request: ${api ?? 'Bad Request'}`,
				description: `${where}. Fix the parameter the API names and run the item again.${taskNote}`,
			};
		case 401:
			return {
				message: 'The Apertis API key is invalid',
				description: `${where}: 401 Unauthorized. Open the Apertis API credential and enter a valid API key.`,
			};
		case 402:
			return {
				message: 'Your Apertis quota is exhausted',
				description: `${where}: 402 Payment Required. Top up your Apertis account, then run the item again.${api ? ` API: ${api}` : ''}`,
			};
		case 404:
			return {
				message: taskId ? `Task ${taskId} was not found` : `Not found: ${failure.path}`,
				description: `${where}: 404 Not Found. Check that the task id comes from the same Apertis account and API (ids from Video From Image start with "video_").${api ? ` API: ${api}` : ''}`,
			};
		case 429:
			return {
				message: `The Apertis API rate limit was hit${retriedNote(failure)}`,
				description: `${where}: 429 Too Many Requests, retried with the Retry-After the API asked for. Lower the number of items per run or the poll rate, or raise your Apertis rate limit.${kind === 'create' ? ' No task was created for this item.' : ''}${taskNote}`,
			};
		default:
			return {
				message: `The Apertis API answered ${status ?? 'with an error'}${retriedNote(failure)}${api ? `: ${api}` : ''}`,
				description: `${where}.${kind === 'read' ? ' Server errors on reads are retried with backoff; this one persisted.' : ''}${createNote}${taskNote}`,
			};
	}
}

/** Replaces every occurrence of a secret, so an API that echoes the key cannot leak it into an error. */
export function redact(text: string, secret: string | undefined): string {
	if (!secret || secret.length < 4) return text;
	return text.split(secret).join('***');
}

export function toNodeApiError(node: INode, failure: ApiFailure, secret?: string): NodeApiError {
	const { message, description } = describe(failure);
	const errorResponse: JsonObject = {
		httpCode: failure.status !== undefined ? String(failure.status) : null,
		message: redact(message, secret),
		...(failure.taskId ? { taskId: failure.taskId } : {}),
	};
	const error = new NodeApiError(node, errorResponse, {
		message: redact(message, secret),
		description: redact(description, secret),
		httpCode: failure.status !== undefined ? String(failure.status) : undefined,
		itemIndex: failure.itemIndex,
	});
	if (failure.taskId) error.context.taskId = failure.taskId;
	if (failure.networkError !== undefined) error.context.networkError = true;
	const retryAfterMs = parseRetryAfter(failure.retryAfter);
	if (retryAfterMs !== undefined) error.context.retryAfterMs = retryAfterMs;
	return error;
}
