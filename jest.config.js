// One project per test layer (see README "Test layers"); `commands` runs the README's commands as processes.
// unit + inprocess run on any Node >= 20; e2e and editor drive the pinned n8n in test/e2e/n8n-runtime.
const tsJest = ['ts-jest', { diagnostics: false }];
const common = {
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': tsJest },
	moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
	projects: [
		{ ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
		{ ...common, displayName: 'inprocess', testMatch: ['<rootDir>/test/inprocess/**/*.test.ts'] },
		{ ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], testPathIgnorePatterns: ['/n8n-runtime/'] },
		{ ...common, displayName: 'editor', testMatch: ['<rootDir>/test/editor/**/*.test.ts'] },
		{ ...common, displayName: 'commands', testMatch: ['<rootDir>/test/commands/**/*.test.ts'] },
	],
};
