#!/usr/bin/env node
// @ts-check
// `npm run sandbox`: the Apertis sandbox server for dry runs of your workflows, no API key needed.
// Options: see OPTIONS below (`--help` prints them); an option it does not know is an error. SIGINT and SIGTERM stop it.
const { startSandbox } = require('./index');
const { VARIANTS, parseVariants } = require('./variants');

/** Every command-line option: the --help text and the startSandbox() option it sets. */
const OPTIONS = [
	{ flag: '--port', value: 'N', help: 'API port (default 8787)', set: (/** @type {any} */ o, /** @type {string} */ v) => (o.port = Number(v)) },
	{ flag: '--key', value: 'KEY', text: true, help: 'API key it accepts (default sk-sandbox-key)', set: (/** @type {any} */ o, /** @type {string} */ v) => (o.apiKey = v) },
	{ flag: '--duration', value: 'SECONDS', help: 'how long a task takes (default 3)', set: (/** @type {any} */ o, /** @type {string} */ v) => (o.durationMs = Number(v) * 1000) },
	{ flag: '--spread', value: 'SHARE', help: '± variation of durations, e.g. 0.25', set: (/** @type {any} */ o, /** @type {string} */ v) => (o.durationSpread = Number(v)) },
	{ flag: '--rps', value: 'N', help: 'answer 429 above N requests per second', set: (/** @type {any} */ o, /** @type {string} */ v) => (o.requestsPerSecond = Number(v)) },
	{ flag: '--variant', value: 'NAME[,NAME]', text: true, help: 'answer in other plausible shapes (below; default: the document\'s)', set: (/** @type {any} */ o, /** @type {string} */ v) => (o.variant = parseVariants(v)) },
];

const HELP = `Apertis sandbox server
${OPTIONS.map((o) => `  ${`${o.flag} ${o.value}`.padEnd(24)}${o.help}`).join('\n')}
  --help                  this text
Variants (combinable, e.g. --variant sparse,strings):
${Object.entries(VARIANTS).map(([name, v]) => `    ${name.padEnd(14)}${v.changes}`).join('\n')}
Prompt directives: [fail], [never], [duration:2.5]. Admin: GET /__sandbox/requests, /__sandbox/tasks,
/__sandbox/config, /__sandbox/variants (which are active);
POST /__sandbox/reset, /__sandbox/config (JSON, e.g. {"rateLimitEvery":5}; every fault option is in the README).
Stops on Ctrl-C, SIGINT or SIGTERM.`;

/** @param {string[]} argv @returns {{ help: boolean, options: Record<string, unknown> }} */
function parseArgs(argv) {
	/** @type {Record<string, unknown>} */
	const options = { port: 8787 };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--help' || argv[i] === '-h') return { help: true, options };
		const option = OPTIONS.find((o) => o.flag === argv[i]);
		if (!option) throw new UsageError(`unknown option ${argv[i]}`);
		const value = argv[++i];
		if (value === undefined || value.startsWith('--')) throw new UsageError(`${option.flag} needs a value (${option.value})`);
		if (!option.text && !Number.isFinite(Number(value))) throw new UsageError(`${option.flag} ${value}: not a number`);
		try {
			option.set(options, value);
		} catch (error) {
			throw new UsageError(`${option.flag} ${value}: ${/** @type {Error} */ (error).message}`);
		}
	}
	return { help: false, options };
}

class UsageError extends Error {}

async function main() {
	const { help, options } = parseArgs(process.argv.slice(2));
	if (help) return console.log(HELP);
	const sandbox = await startSandbox(options);
	console.log(`Apertis sandbox listening on ${sandbox.url} (videos served from ${sandbox.filesUrl})`);
	const variants = /** @type {string[]} */ (sandbox.config().variant);
	if (variants.length > 0) console.log(`Variants: ${variants.join(', ')} (not the document's example shapes; see --help)`);
	console.log(`In n8n, create an "Apertis API" credential with Base URL ${sandbox.url} and API key ${sandbox.apiKey}`);
	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		await sandbox.close();
		console.log('sandbox stopped');
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
}

main().catch((error) => {
	if (error instanceof UsageError) {
		console.error(`sandbox: ${error.message} (see --help)`);
		process.exit(2);
	}
	console.error(error);
	process.exit(1);
});
