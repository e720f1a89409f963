/**
 * The GitHub Actions workflows (npm run lint validates their schema with @action-validator/cli): what n8n's
 * verification needs from publish.yml (a version tag, npm provenance, an OIDC token) and what ci.yml must run.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { REPO_ROOT } from '../../e2e/lib';

const read = (name: string) => readFileSync(join(REPO_ROOT, '.github', 'workflows', name), 'utf8');
/** The `run:` commands of a workflow, in order. */
const runs = (yaml: string) => [...yaml.matchAll(/^\s+run: (.+)$/gm)].map((m) => m[1].trim());

describe('publish.yml', () => {
	const yaml = read('publish.yml');

	test('runs on a version tag v* only', () => {
		expect(yaml).toMatch(/^on:\n {2}push:\n {4}tags:\n {6}- 'v\*'\n\n/m);
	});

	test('may mint an OIDC token (provenance) and only read the repository', () => {
		expect(yaml).toMatch(/permissions:\n(\s+#.*\n)*\s+id-token: write\n\s+contents: read\n/);
		expect(yaml).not.toMatch(/contents: write/);
	});

	test('sets up Node with the npm registry, then builds, lints and tests before it publishes with provenance', () => {
		expect(yaml).toContain("registry-url: 'https://registry.npmjs.org'");
		const commands = runs(yaml);
		const at = (prefix: string) => commands.findIndex((command) => command.startsWith(prefix));
		const order = ['npm ci', 'npm run build', 'npm run lint', 'npm run typecheck', 'npm run test:unit', 'npm publish'].map(at);
		expect(order.every((index) => index >= 0)).toBe(true);
		expect([...order].sort((a, b) => a - b)).toEqual(order);
		expect(commands[at('npm publish')]).toBe('npm publish --provenance --access public');
		expect(yaml).toContain('NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}');
	});
});

describe('ci.yml', () => {
	const yaml = read('ci.yml');

	test('runs on every push and pull request', () => {
		expect(yaml).toMatch(/^on:\n {2}push:\n {2}pull_request:\n/m);
	});

	test('runs lint, typecheck, build and the fast layers, and the full npm test in a job of its own', () => {
		const commands = runs(yaml);
		for (const command of ['npm run lint', 'npm run typecheck', 'npm run build', 'npm run test:unit -- --ci', 'bash .ci/run']) {
			expect(commands).toContain(command);
		}
		expect(yaml).toMatch(/^ {2}full:\n(.*\n)*? {4}needs: checks\n/m);
	});
});
