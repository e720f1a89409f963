/**
 * What `npm publish` ships: `npm pack --dry-run --json` lists the files of the tarball without writing it. The
 * package must carry the built nodes and credential (their .js, icons and .node.json codex files), README, LICENSE,
 * CHANGELOG and package.json, and nothing else: no tests, TypeScript sources, declarations, source maps, sandbox,
 * scripts, examples or docs. Needs the build output (`npm run build`), as `npm test` and CI make it first.
 */
import { readFileSync, readdirSync } from 'fs';
import { join, relative } from 'path';

import { REPO_ROOT, packageBuildState, runChecked } from '../../e2e/lib';

jest.setTimeout(2 * 60_000);

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));

/** Every file under a folder of the repository, relative to the repository, with '/' separators. */
function filesUnder(folder: string): string[] {
	return readdirSync(join(REPO_ROOT, folder), { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => relative(REPO_ROOT, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

let packed: string[];

beforeAll(async () => {
	const { built, missing } = packageBuildState();
	if (!built) throw new Error(`The package is not built (missing: ${missing.join(', ') || 'dist/'}). Run: npm run build`);
	// npm must not see a dry-run or pack setting of the npm run that started jest.
	const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
	const { stdout } = await runChecked('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'], { cwd: REPO_ROOT, env });
	const [report] = JSON.parse(stdout.slice(stdout.indexOf('[')));
	expect(report).toMatchObject({ name: 'n8n-nodes-apertis-video', version: pkg.version });
	packed = (report.files as Array<{ path: string }>).map((file) => file.path).sort();
});

test('the tarball holds README, LICENSE, CHANGELOG and package.json', () => {
	expect(packed).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json']));
});

test('it holds every node and credential n8n loads, with their icons and codex files', () => {
	const listed: string[] = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
	expect(listed).toHaveLength(6);
	expect(packed).toEqual(expect.arrayContaining(listed));
	for (const nodeFile of pkg.n8n.nodes as string[]) expect(packed).toContain(nodeFile.replace(/\.js$/, '.json'));
	// The icons the sources reference (icon: { light: 'file:…', dark: 'file:…' }) sit next to the compiled files.
	const icons = [...filesUnder('nodes'), ...filesUnder('credentials')].filter((file) => /\.(svg|png)$/.test(file));
	expect(icons.length).toBeGreaterThanOrEqual(12);
	for (const icon of icons) expect(packed).toContain(`dist/${icon}`);
});

test('dist holds a compiled file for every source and no compiled file without one (a stale dist)', () => {
	const sources = [...filesUnder('nodes'), ...filesUnder('credentials')]
		.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.test.ts'))
		.map((file) => `dist/${file.replace(/\.ts$/, '.js')}`)
		.sort();
	expect(packed.filter((file) => file.endsWith('.js') && file.startsWith('dist/'))).toEqual(sources);
});

test('nothing else: no tests, TypeScript sources, declarations, source maps, sandbox, scripts, examples or docs', () => {
	const allowed = /^(README\.md|LICENSE|CHANGELOG\.md|package\.json|index\.js|dist\/(nodes|credentials)\/.+\.(js|svg|png|node\.json))$/;
	expect(packed.filter((file) => !allowed.test(file))).toEqual([]);
	expect(packed.filter((file) => /\.(ts|map)$|(^|\/)(test|tests|scripts|sandbox|examples|docs|bench)\//.test(file))).toEqual([]);
	// `main` (index.js, an empty module: n8n reads package.json's n8n section) is the only file outside dist/.
	expect(pkg.main).toBe('index.js');
});

test('the package is MIT-licensed in package.json and LICENSE, and the changelog has an entry for this version', () => {
	expect(pkg.license).toBe('MIT');
	expect(readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
	expect(readFileSync(join(REPO_ROOT, 'CHANGELOG.md'), 'utf8')).toContain(`## [${pkg.version}]`);
});

test('no runtime dependencies: n8n provides n8n-workflow (an optional peer) and form-data', () => {
	expect(pkg.dependencies ?? {}).toEqual({});
	expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	expect(pkg.peerDependenciesMeta).toEqual({ 'n8n-workflow': { optional: true } });
});
