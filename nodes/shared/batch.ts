import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { BatchOptions } from './descriptions';
import { readBatchOptions, readExistingTaskId } from './descriptions';
import type { ItemError } from './errors';
import { errorItem, stoppedWithTasks, taskIdOf, toItemError } from './errors';
import { continuesOnFail } from './items';
import { mapWithConcurrency } from './mapWithConcurrency';
import { idText } from './taskIds';

/**
 * A batch of paid requests (Video Create, Video From Image, Sora Chat Stream), in three steps: every item is checked
 * before anything is spent; the paid requests run side by side, a few at a time; then every task created is
 * accounted for, whatever failed. A 402 (quota), Stop, or a failure without Continue On Fail sends no further
 * request; the requests already on the wire finish, and their ids are named too.
 */
export interface PaidBatch {
	/** Checks one item and returns its paid request, ready to send. Throws (InvalidParameter…) for a bad item. */
	prepare(itemIndex: number): Promise<() => Promise<INodeExecutionData>>;
	/** The task the item already has (Existing Task ID): no request is sent for it. */
	existingTaskId?(itemIndex: number): string | undefined;
	/** The id of the task an output item stands for. */
	taskIdOf(item: INodeExecutionData): string | undefined;
	/**
	 * Whether a retry of a failed execution reuses the tasks it created (the create nodes, whose output for a reused
	 * task is just its id). Sora Chat Stream's output is the finished video, which a reused id cannot give.
	 */
	reuseOnRetry?: boolean;
}

type Plan =
	| { itemIndex: number; reuse: string }
	| { itemIndex: number; send: () => Promise<INodeExecutionData> }
	| { itemIndex: number; invalid: ItemError };

type Sent =
	| { itemIndex: number; item: INodeExecutionData }
	| { itemIndex: number; error: ItemError }
	| { itemIndex: number; notSent: string };

export async function runPaidBatch(
	ctx: IExecuteFunctions,
	batch: PaidBatch,
): Promise<INodeExecutionData[]> {
	const plans = await planItems(ctx, batch);
	const options = readBatchOptions(ctx);
	refuseBadBatch(ctx, plans, options);
	const remember = batch.reuseOnRetry === true;
	const sent = await sendAll(ctx, plans, options.concurrency, remember);
	const created = createdIds(batch, sent);
	if (ctx.getExecutionCancelSignal()?.aborted) throw stoppedWithTasks(ctx, created);
	const failed = sent.find((s): s is Extract<Sent, { error: ItemError }> => 'error' in s);
	if (failed && !continuesOnFail(ctx)) throw namingCreated(failed.error, created, sent);
	return plans.map((plan) => outputOf(plan, sent));
}

async function planItems(ctx: IExecuteFunctions, batch: PaidBatch): Promise<Plan[]> {
	const plans: Plan[] = [];
	const retried = batch.reuseOnRetry ? createdBefore(ctx) : {};
	for (let itemIndex = 0; itemIndex < ctx.getInputData().length; itemIndex++) {
		try {
			const reuse = batch.existingTaskId?.(itemIndex) ?? retried[retryKeyOf(ctx, itemIndex)];
			plans.push(
				reuse ? { itemIndex, reuse } : { itemIndex, send: await batch.prepare(itemIndex) },
			);
		} catch (error) {
			plans.push({ itemIndex, invalid: toItemError(ctx.getNode(), error, itemIndex) });
		}
	}
	return plans;
}

/** Before any money is spent: a bad item fails the whole batch (unless Continue On Fail), and so does the guard. */
function refuseBadBatch(ctx: IExecuteFunctions, plans: Plan[], options: BatchOptions): void {
	const invalid = plans.filter((p): p is Extract<Plan, { invalid: ItemError }> => 'invalid' in p);
	if (invalid.length > 0 && !continuesOnFail(ctx)) {
		const error = invalid[0].invalid;
		const others =
			invalid.length > 1
				? ` Items with errors: ${invalid.map((p) => p.itemIndex).join(', ')}.`
				: '';
		error.description =
			`${error.description ?? ''} No request was sent for any item of this batch.${others}`.trim();
		throw error;
	}
	const toSend = plans.filter((p) => 'send' in p).length;
	const max = options.maxTasksPerExecution;
	if (max > 0 && toSend > max) {
		const reused = plans.filter((p) => 'reuse' in p).length;
		throw new NodeOperationError(
			ctx.getNode(),
			`This batch would start ${toSend} paid tasks, more than Max Tasks per Execution (${max})`,
			{
				description: `${plans.length} items came in${reused ? ` (${reused} with an Existing Task ID, which cost nothing)` : ''}. No request was sent. To run them all, raise Batch Options → Max Tasks per Execution (0 = no limit), or split the input into smaller runs.`,
			},
		);
	}
}

/** Sends the paid requests, `concurrency` at a time, in input order; stops sending after a 402, Stop or a failure. */
async function sendAll(
	ctx: IExecuteFunctions,
	plans: Plan[],
	concurrency: number,
	remember: boolean,
): Promise<Sent[]> {
	const toSend = plans.filter((p): p is Extract<Plan, { send: unknown }> => 'send' in p);
	let halted: string | undefined;
	return await mapWithConcurrency(toSend, concurrency, async ({ itemIndex, send }) => {
		if (ctx.getExecutionCancelSignal()?.aborted) halted ??= 'the execution was stopped';
		if (halted) return { itemIndex, notSent: halted };
		try {
			const item = await send();
			const id = idText(item.json.id) ?? idText(item.json.task_id);
			if (id && remember) createdBefore(ctx)[retryKeyOf(ctx, itemIndex)] = id;
			return { itemIndex, item };
		} catch (caught) {
			const error = toItemError(ctx.getNode(), caught, itemIndex);
			if (isQuotaError(error)) halted = `the Apertis quota ran out at item ${itemIndex} (402)`;
			else if (!continuesOnFail(ctx)) halted ??= `item ${itemIndex} failed`;
			return { itemIndex, error };
		}
	});
}

/**
 * The tasks this node created in this execution, by item. n8n saves a node's context with the execution's data, and
 * "Retry execution" runs the failed node again with that data: a retry then reuses what the failed run created
 * instead of paying for it again. A new execution starts with an empty context, so a schedule that runs the same
 * prompts again creates them again.
 */
function createdBefore(ctx: IExecuteFunctions): Record<string, string> {
	const context = ctx.getContext('node');
	if (!context.createdTasks || typeof context.createdTasks !== 'object') context.createdTasks = {};
	return context.createdTasks as Record<string, string>;
}

/** An item's place and content: a retry runs the node on the same items, so each finds its own task again. */
function retryKeyOf(ctx: IExecuteFunctions, itemIndex: number): string {
	const text = JSON.stringify(ctx.getInputData()[itemIndex]?.json ?? {});
	let hash = 0x811c9dc5; // FNV-1a: a short, stable digest of the item, not a security measure
	for (let i = 0; i < text.length; i++)
		hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
	return `${itemIndex}:${hash.toString(16)}`;
}

function isQuotaError(error: ItemError): boolean {
	return error instanceof NodeApiError && String(error.httpCode) === '402';
}

/** Every task this batch created, in input order: those that came out and those a failure carries. */
function createdIds(batch: PaidBatch, sent: Sent[]): string[] {
	return [...sent]
		.sort((a, b) => a.itemIndex - b.itemIndex)
		.map((s) =>
			'item' in s ? batch.taskIdOf(s.item) : 'error' in s ? taskIdOf(s.error) : undefined,
		)
		.filter((id): id is string => typeof id === 'string' && id !== '');
}

/** The failure the node throws names every task already created, so none is lost or paid for again. */
function namingCreated(error: ItemError, created: string[], sent: Sent[]): ItemError {
	const notSent = sent.filter((s) => 'notSent' in s).length;
	const own = taskIdOf(error);
	const others = created.filter((id) => id !== own);
	if (others.length === 0 && notSent === 0) return error;
	const n = others.length;
	const tasks = `${n} other task${n === 1 ? '' : 's'}`;
	const idsNote = n
		? ` This execution had already created ${tasks}, which keep running and are billed: ${others.join(', ')}. Do not run the batch again for them: pass these ids to Wait Until Done or Video Query, or set them as Existing Task ID.`
		: '';
	const notSentNote = notSent ? ` ${notSent} item(s) were not sent after this error.` : '';
	error.description = `${error.description ?? ''}${idsNote}${notSentNote}`.trim();
	if (n)
		error.message = `${error.message} (${tasks} of this batch already created: ids in the details)`;
	error.context.createdTaskIds = created;
	return error;
}

function outputOf(plan: Plan, sent: Sent[]): INodeExecutionData {
	const { itemIndex } = plan;
	const pairedItem = { item: itemIndex };
	if ('reuse' in plan) return { json: { id: plan.reuse, reused: true }, pairedItem };
	if ('invalid' in plan) return errorItem(plan.invalid, itemIndex);
	const result = sent.find((s) => s.itemIndex === itemIndex)!;
	if ('item' in result) return { ...result.item, pairedItem };
	if ('error' in result) return errorItem(result.error, itemIndex);
	const json: IDataObject = {
		error: `Not sent: ${result.notSent}`,
		errorDescription: 'No request was sent for this item and no task was created for it.',
	};
	return { json, pairedItem };
}

/** The batch of a create node: Existing Task ID reuses a task, and an output item's task is its `id`. */
export function createTasksBatch(ctx: IExecuteFunctions, prepare: PaidBatch['prepare']): PaidBatch {
	return {
		prepare,
		existingTaskId: (itemIndex) => readExistingTaskId(ctx, itemIndex),
		taskIdOf: (item) => idText(item.json.id),
		reuseOnRetry: true,
	};
}

/**
 * A create answered 2xx: the task exists and is billed. An answer without an id cannot be polled; the item fails with
 * the API's whole answer, so the task can still be found in the Apertis dashboard.
 */
export function requireCreatedId(
	ctx: IExecuteFunctions,
	answer: IDataObject,
	itemIndex: number,
): IDataObject {
	if (idText(answer.id) !== undefined) return answer;
	throw new NodeOperationError(
		ctx.getNode(),
		`The Apertis API accepted the task but returned no id [item ${itemIndex}]`,
		{
			itemIndex,
			description: `The task may have been created and billed: look it up in your Apertis dashboard before running the item again. The API answered: ${JSON.stringify(answer).slice(0, 500)}`,
		},
	);
}
