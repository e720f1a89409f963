/**
 * A bad input found before any request. Pure validation code throws this; the node layer turns it into a
 * NodeOperationError that names the item and the parameter.
 */
export class InvalidParameter extends Error {
	constructor(
		readonly parameter: string,
		message: string,
		readonly hint?: string,
	) {
		super(message);
		this.name = 'InvalidParameter';
	}
}

export function requireNonEmptyText(parameter: string, value: unknown): string {
	const text = typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value).trim();
	if (!text) throw new InvalidParameter(parameter, `${labelOf(parameter)} is empty`, `Enter a ${labelOf(parameter).toLowerCase()}, or map one from the input data.`);
	return text;
}

export function isHttpUrl(value: string): boolean {
	try {
		const url = new URL(value);
		return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
	} catch {
		return false;
	}
}

export function requireHttpUrl(parameter: string, value: string): string {
	if (!isHttpUrl(value)) {
		throw new InvalidParameter(parameter, `${labelOf(parameter)} "${truncate(value)}" is not an http(s) URL`, 'Use a public URL that starts with http:// or https://.');
	}
	return value;
}

export function requireOneOf<T extends string | number>(parameter: string, value: T, allowed: readonly T[], context: string): T {
	if (!allowed.includes(value)) {
		throw new InvalidParameter(
			parameter,
			`${labelOf(parameter)} "${String(value)}" is not supported ${context}`,
			`Use one of: ${allowed.join(', ')}.`,
		);
	}
	return value;
}

const LABELS: Record<string, string> = {
	model: 'Model',
	prompt: 'Prompt',
	imageUrls: 'Reference image URL',
	aspectRatio: 'Aspect ratio',
	orientation: 'Orientation',
	size: 'Size',
	duration: 'Duration',
	characterUrl: 'Character URL',
	characterTimestamps: 'Character timestamps',
	seconds: 'Seconds',
	taskId: 'Task ID',
	binaryPropertyName: 'Binary property',
};

export function labelOf(parameter: string): string {
	return LABELS[parameter] ?? parameter;
}

export function truncate(text: string, max = 80): string {
	return text.length > max ? `${text.slice(0, max)}…` : text;
}
