import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';
import * as ts from 'typescript';

import { PARAMETERS } from '../../../nodes/shared/catalogue/parameters';

/**
 * The shape the code keeps (docs/ARCHITECTURE.md): small named steps, and one home per API parameter. Checked here
 * rather than in eslint.config.mjs, which n8n's strict mode wants exactly as the node starter ships it.
 */
const ROOT = join(__dirname, '..', '..', '..');
const MAX_FUNCTION_LINES = 60;

function sourceFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return sourceFiles(path);
		return path.endsWith('.ts') ? [path] : [];
	});
}

const files = [...sourceFiles(join(ROOT, 'nodes')), ...sourceFiles(join(ROOT, 'credentials'))];

function longFunctions(path: string, text = readFileSync(path, 'utf8')): string[] {
	const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
	const found: string[] = [];
	const visit = (node: ts.Node) => {
		if (ts.isFunctionLike(node) && 'body' in node && node.body) {
			const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
			const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
			const name = (node as { name?: ts.Node }).name?.getText() ?? '(anonymous)';
			if (end - start + 1 > MAX_FUNCTION_LINES) found.push(`${relative(ROOT, path)}:${start + 1} ${name} (${end - start + 1} lines)`);
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return found;
}

test(`no function in nodes/ or credentials/ is longer than ${MAX_FUNCTION_LINES} lines`, () => {
	expect(files.length).toBeGreaterThan(20);
	expect(files.flatMap((path) => longFunctions(path))).toEqual([]);
});

test('the length check sees a long function, and an arrow function inside an object', () => {
	const body = Array.from({ length: MAX_FUNCTION_LINES }, (_, i) => `\tconst v${i} = ${i};`).join('\n');
	const path = join(ROOT, 'nodes', 'long.ts');
	expect(longFunctions(path, `function long() {\n${body}\n}\n`)).toEqual([`nodes/long.ts:1 long (${MAX_FUNCTION_LINES + 2} lines)`]);
	expect(longFunctions(path, `const row = {\n\ttoApi: () => {\n${body}\n\t},\n};\n`)).toHaveLength(1);
	expect(longFunctions(path, `function short() {\n\treturn 1;\n}\n`)).toEqual([]);
});

test.each([...new Set(PARAMETERS.map((row) => row.field.name))])(
	'the parameter %s is spelled in at most 2 files under nodes/',
	(name) => {
		const spelledIn = files.filter((path) => new RegExp(`['"\`]${name}['"\`]`).test(readFileSync(path, 'utf8')));
		expect(spelledIn.length).toBeGreaterThan(0);
		expect(spelledIn.map((path) => relative(ROOT, path)).length).toBeLessThanOrEqual(2);
	},
);
