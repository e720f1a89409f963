// n8n's logger (@n8n/backend-common's Logger, winston underneath) as n8n-core's engine uses it: a node that fails is
// reported through n8n's ErrorReporter, which writes the error to this logger. n8n prints that to its server log; in
// the tests it would print an expected error as a console block. Here every entry is recorded instead of printed, and
// runWorkflow checks each one (see checkLogged): an error n8n logs must be the error a node of the run failed with.
import { dirname } from 'path';

export interface LogEntry {
	level: string;
	message: string;
}

const entries: LogEntry[] = [];

/** The copy of a module that n8n-core itself loads (n8n-core has its own @n8n/backend-common and @n8n/di). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fromN8nCore = (id: string) => require(require.resolve(id, { paths: [dirname(require.resolve('n8n-core'))] }));

const { Logger } = fromN8nCore('@n8n/backend-common') as { Logger: { prototype: { log(level: string, message: string, metadata?: unknown): void } } };
// Logger.error/warn/info/debug all go through log(); scoped loggers are Logger instances too.
Logger.prototype.log = function record(level: string, message: string) {
	entries.push({ level, message: String(message) });
};

/** Entries logged since `mark` (a value of logMark()). */
export const logMark = (): number => entries.length;
export const loggedSince = (mark: number): LogEntry[] => entries.slice(mark);

/** What one logged error says: its first line, without the " (execution …)" n8n's ErrorReporter appends. */
export const loggedText = (entry: LogEntry): string => entry.message.split('\n')[0].replace(/ \(execution [^)]*\)$/, '');

/**
 * Throws when n8n logged a warning or an error during the run that is not the error (or a cause of the error) a node
 * of the run failed with: such an entry is unexpected, and fails the test instead of being printed.
 */
export function checkLogged(logged: LogEntry[], nodeErrors: Array<Error | undefined>): void {
	const expected = new Set<string>();
	for (let error of nodeErrors) {
		for (const seen = new Set<unknown>(); error && !seen.has(error); error = error.cause as Error | undefined) {
			seen.add(error);
			expected.add(error.message);
		}
	}
	const unexpected = logged.filter((entry) => ['error', 'warn'].includes(entry.level) && !expected.has(loggedText(entry)));
	if (unexpected.length) {
		throw new Error(
			`n8n logged what no node of the run failed with:\n${unexpected.map((e) => `  ${e.level}: ${e.message}`).join('\n')}\n` +
				`node errors of the run: ${[...expected].map((m) => JSON.stringify(m)).join(', ') || 'none'}`,
		);
	}
}
