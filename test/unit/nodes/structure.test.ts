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
const MAX_CLASS_LINES = 150;

function sourceFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return sourceFiles(path);
		return path.endsWith('.ts') ? [path] : [];
	});
}

const files = [...sourceFiles(join(ROOT, 'nodes')), ...sourceFiles(join(ROOT, 'credentials'))];

/** Functions longer than MAX_FUNCTION_LINES and classes longer than MAX_CLASS_LINES, as `path:line name (n lines)`. */
function longFunctions(path: string, text = readFileSync(path, 'utf8')): string[] {
	const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
	const found: string[] = [];
	const visit = (node: ts.Node) => {
		const isFunction = ts.isFunctionLike(node) && 'body' in node && node.body;
		const isClass = ts.isClassLike(node);
		if (isFunction || isClass) {
			const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
			const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
			const name = (node as { name?: ts.Node }).name?.getText() ?? '(anonymous)';
			const lines = end - start + 1;
			if (lines > (isClass ? MAX_CLASS_LINES : MAX_FUNCTION_LINES)) found.push(`${relative(ROOT, path)}:${start + 1} ${name} (${lines} lines)`);
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return found;
}

test(`no function in nodes/ or credentials/ is longer than ${MAX_FUNCTION_LINES} lines, no class longer than ${MAX_CLASS_LINES}`, () => {
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

test('the length check sees a long class, however short its methods', () => {
	const methods = Array.from({ length: MAX_CLASS_LINES / 3 }, (_, i) => `\tm${i}() {\n\t\treturn ${i};\n\t}`).join('\n');
	const path = join(ROOT, 'nodes', 'long.ts');
	expect(longFunctions(path, `class Long {\n${methods}\n}\n`)).toEqual([`nodes/long.ts:1 Long (${MAX_CLASS_LINES + 2} lines)`]);
	expect(longFunctions(path, `class Short {\n\tm() {\n\t\treturn 1;\n\t}\n}\n`)).toEqual([]);
});

test.each([...new Set(PARAMETERS.map((row) => row.field.name))])(
	'the parameter %s is spelled in at most 2 files under nodes/',
	(name) => {
		const spelledIn = files.filter((path) => new RegExp(`['"\`]${name}['"\`]`).test(readFileSync(path, 'utf8')));
		expect(spelledIn.length).toBeGreaterThan(0);
		expect(spelledIn.map((path) => relative(ROOT, path)).length).toBeLessThanOrEqual(2);
	},
);
