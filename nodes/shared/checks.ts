import type { FieldRef } from './errors';
import { InvalidParameter } from './errors';

/** Checks of one value, shared by the parameter rows and the nodes' own fields. Each throws InvalidParameter. */

export function requireNonEmptyText(field: FieldRef, value: unknown): string {
	const text = value === undefined || value === null ? '' : String(value).trim();
	if (!text) {
		throw new InvalidParameter(
			field,
			`${field.label} is empty`,
			`Enter a ${field.label.toLowerCase()}, or map one from the input data.`,
		);
	}
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

export function requireHttpUrl(field: FieldRef, value: string): string {
	if (!isHttpUrl(value)) {
		throw new InvalidParameter(
			field,
			`${field.label} "${truncate(value)}" is not an http(s) URL`,
			'Use a public URL that starts with http:// or https://.',
		);
	}
	return value;
}

export function requireOneOf<T extends string | number>(
	field: FieldRef,
	value: T,
	allowed: readonly T[],
	context: string,
): T {
	if (!allowed.includes(value)) {
		throw new InvalidParameter(
			field,
			`${field.label} "${String(value)}" is not supported ${context}`,
			`Use one of: ${allowed.join(', ')}.`,
		);
	}
	return value;
}

export function truncate(text: string, max = 80): string {
	return text.length > max ? `${text.slice(0, max)}…` : text;
}
