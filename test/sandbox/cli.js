#!/usr/bin/env node
// @ts-check
// `npm run sandbox`: the Apertis sandbox server for dry runs of your workflows, no API key needed.
// Options: --port 8787  --key sk-sandbox-key  --duration 5 (seconds per task)  --fail-every …  (see --help)
const { startSandbox } = require('./index');

const HELP = `Apertis sandbox server
  --port N            API port (default 8787)
  --key KEY           API key it accepts (default sk-sandbox-key)
  --duration SECONDS  how long a task takes (default 3)
  --spread SHARE      ± variation of durations, e.g. 0.25
  --rps N             answer 429 above N requests per second
Prompt directives: [fail], [never], [duration:2.5]. Admin: GET /__sandbox/requests, /__sandbox/tasks;
POST /__sandbox/reset, /__sandbox/config (JSON, e.g. {"rateLimitEvery":5}).`;

function parseArgs(/** @type {string[]} */ argv) {
	/** @type {Record<string, string>} */
	const args = {};
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--help' || argv[i] === '-h') args.help = 'true';
		else if (argv[i].startsWith('--')) args[argv[i].slice(2)] = argv[++i] ?? '';
	}
	return args;
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	if (args.help) return console.log(HELP);
	/** @type {Record<string, unknown>} */
	const options = { port: Number(args.port ?? 8787) };
	if (args.key) options.apiKey = args.key;
	if (args.duration) options.durationMs = Number(args.duration) * 1000;
	if (args.spread) options.durationSpread = Number(args.spread);
	if (args.rps) options.requestsPerSecond = Number(args.rps);
	const sandbox = await startSandbox(options);
	console.log(`Apertis sandbox listening on ${sandbox.url} (videos served from ${sandbox.filesUrl})`);
	console.log(`In n8n, create an "Apertis API" credential with Base URL ${sandbox.url} and API key ${sandbox.apiKey}`);
	const stop = async () => {
		await sandbox.close();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
