import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/** What was thrown, as text: an Error's message, a thrown string, else 'Unknown error'. */
export function messageOf(error: unknown): string {
	if (error instanceof Error && error.message) return error.message;
	return typeof error === 'string' && error ? error : 'Unknown error';
}

/** A field of a node, as errors name it: its n8n name and the words a user sees. */
export interface FieldRef {
	name: string;
	label: string;
}

/**
 * A bad input found before any request. Pure checking code throws this; `toItemError` turns it into a
 * NodeOperationError that names the item and the parameter.
 */
export class InvalidParameter extends Error {
	readonly parameter: string;

	readonly label: string;

	constructor(
		field: FieldRef,
		message: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'InvalidParameter';
		this.parameter = field.name;
		this.label = field.label;
	}
}

export type ItemError = NodeApiError | NodeOperationError;

/** The task id an error belongs to, when a task was created before it: it must reach the user. */
export function taskIdOf(error: unknown): string | undefined {
	const context = (error as { context?: IDataObject })?.context;
	return typeof context?.taskId === 'string' ? context.taskId : undefined;
}

/** Makes an error carry a created task's id, in its context and in the words the user reads. */
export function withTaskId<E extends ItemError>(error: E, taskId: string | undefined): E {
	if (!taskId) return error;
	error.context.taskId = taskId;
	if (!error.description?.includes(taskId)) {
		error.description = `${error.description ? `${error.description} ` : ''}Task id: ${taskId}.`;
	}
	return error;
}

/**
 * The one "execution was stopped" error. Tasks already created keep running at Apertis: the error names them so
 * that they can be picked up again.
 */
export function executionStopped(
	node: INode,
	taskIds: string[],
	itemIndex?: number,
): NodeOperationError {
	const n = taskIds.length;
	const running = n > 0 ? ` while ${n} task${n > 1 ? 's were' : ' was'} still running` : '';
	const error = new NodeOperationError(node, `The execution was stopped${running}`, {
		itemIndex,
		description:
			n > 0
				? `They keep running at Apertis; check on them later with Video Query or Wait Until Done. Task ids: ${taskIds.join(', ')}`
				: undefined,
	});
	return n === 1 ? withTaskId(error, taskIds[0]) : error;
}

/**
 * The node's last word when the execution was stopped with tasks running. n8n replaces a stopped execution's error
 * with its own "cancelled" error and keeps no run data of the node, so the ids are also written to n8n's log, where
 * they outlive the execution.
 */
export function stoppedWithTasks(
	ctx: { getNode(): INode; logger: { warn(message: string): void } },
	taskIds: string[],
): NodeOperationError {
	const error = executionStopped(ctx.getNode(), taskIds);
	if (taskIds.length > 0) {
		// First line: the node's error as n8n reports it; then where and which tasks.
		ctx.logger.warn(`${error.message}\n${ctx.getNode().name}: ${error.description ?? ''}`);
	}
	return error;
}

/** Turns whatever an item's work threw into an n8n error that names the item (and the parameter, if any). */
export function toItemError(node: INode, error: unknown, itemIndex: number): ItemError {
	if (error instanceof InvalidParameter) {
		const hint = error.hint ? ` ${error.hint}` : '';
		return new NodeOperationError(node, `${error.message} [item ${itemIndex}]`, {
			itemIndex,
			description: `Parameter "${error.label}" (${error.parameter}) of item ${itemIndex}.${hint} No request was sent for this item.`,
		});
	}
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(node, `${messageOf(error)} [item ${itemIndex}]`, { itemIndex });
}

/** The output item of a failed input item under Continue On Fail: the error, and the task id if one exists. */
export function errorItem(error: ItemError, itemIndex: number): INodeExecutionData {
	const taskId = taskIdOf(error);
	const json: IDataObject = { error: error.message };
	if (error.description) json.errorDescription = error.description;
	if (taskId) json.id = taskId;
	return { json, pairedItem: { item: itemIndex } };
}
