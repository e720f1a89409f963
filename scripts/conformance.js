#!/usr/bin/env node
// @ts-check
// `npm run conformance -- --base-url URL [--yes] [--out DIR]`: the check for the first real key. Starts one task of each
// API (paid), polls them, reads the Sora stream, records every exchange in DIR/conformance-<timestamp>.json (the key
// and URL query strings redacted) and prints the shapes the API answered in against what the nodes expect, ending
// with the sandbox variant(s) they match (`npm run sandbox -- --variant NAME` then replays them for free).
// The key comes only from the environment variable APERTIS_API_KEY. Plain Node >= 20, no dependencies.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const { describeFindings } = require('./conformance/describe');
const { createRecorder, redact, redactText } = require('./conformance/record');
const { observe, variantSignals, matchVariants, uncovered, localFinalStateOf } = require('./conformance/shapes');
const { runCreate, runVideos, runStream } = require('./conformance/tasks');

const USAGE = `Usage: APERTIS_API_KEY=sk-… npm run conformance -- --base-url URL [--yes] [--out DIR] [--timeout-minutes N]
  --base-url URL         the API, e.g. https://api.apertis.ai (or the sandbox's URL)
  --yes                  start the paid tasks without asking (needed when stdin is not a terminal)
  --out DIR              where the report goes (default conformance-report/, ignored by git)
  --timeout-minutes N    how long to wait for the tasks (default 20)
  --poll-seconds N       time between two polls of a task (default 10)
The API key is read from the environment variable APERTIS_API_KEY only.`;

const PROMPT = 'A paper boat drifting on a calm pond, soft morning light';
const STATUS_MODULE = path.join(__dirname, '..', 'dist', 'nodes', 'shared', 'taskStatus.js');

class UsageError extends Error {}

/** @param {string[]} argv */
function parseArgs(argv) {
	const options = { baseUrl: '', yes: false, out: 'conformance-report', timeoutMinutes: 20, pollSeconds: 10, help: false };
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		if (flag === '--help' || flag === '-h') options.help = true;
		else if (flag === '--yes' || flag === '-y') options.yes = true;
		else if (/^--(api-)?key(=|$)/.test(flag)) {
			throw new UsageError(`${flag.split('=')[0]} is refused: a key on the command line lands in shell history and process lists. Set the environment variable APERTIS_API_KEY instead.`);
		} else if (['--base-url', '--out', '--timeout-minutes', '--poll-seconds'].includes(flag)) {
			const value = argv[++i];
			if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
			if (flag === '--base-url') options.baseUrl = value.replace(/\/+$/, '');
			else if (flag === '--out') options.out = value;
			else if (!(Number(value) > 0)) throw new UsageError(`${flag} ${value}: not a positive number`);
			else if (flag === '--poll-seconds') options.pollSeconds = Number(value);
			else options.timeoutMinutes = Number(value);
		} else throw new UsageError(`unknown option ${flag}`);
	}
	if (!options.help && !/^https?:\/\/\S+$/.test(options.baseUrl)) throw new UsageError('--base-url URL is required (http:// or https://)');
	return options;
}

/** What it will start, printed before asking. @param {ReturnType<typeof parseArgs>} o */
function planText(o) {
	return `Conformance check against ${redactText(o.baseUrl, '')}
It will start these tasks, which are PAID (each is a real video generation on your key):
  1. POST /v1/video/create      model veo2-fast, prompt "${PROMPT}"
  2. POST /v1/videos            model veo_3_1-fast, seconds "5", size 16x9, input_reference: a small PNG made here
  3. POST /v1/chat/completions  model sora-2, stream: true, the same prompt
then poll tasks 1 and 2 every ${o.pollSeconds} s (for at most ${o.timeoutMinutes} min) and read the stream to its end.
Every exchange goes to ${path.join(o.out, 'conformance-<timestamp>.json')} (the key and URL query strings as ***).`;
}

/** Asks y/N on a terminal; without one (and without --yes) refuses and exits 2, before any request. @param {boolean} yes */
async function confirm(yes) {
	if (yes) return true;
	if (!process.stdin.isTTY) {
		console.error('conformance: refusing to start paid tasks: stdin is not a terminal, so nobody can answer y/N. Pass --yes to start them.');
		process.exit(2);
	}
	const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
	const answer = await new Promise((resolve) => rl.question('Start them? [y/N] ', resolve));
	rl.close();
	return /^y(es)?$/i.test(String(answer).trim());
}

/** The nodes' own finalStateOf when the package is built, else the script's copy of their rule. */
function loadFinalStateOf() {
	if (fs.existsSync(STATUS_MODULE)) {
		const built = require(STATUS_MODULE);
		if (typeof built.finalStateOf === 'function') {
			const finalStateOf = (/** @type {unknown} */ status) => {
				const state = built.finalStateOf(String(status ?? ''));
				return state === 'completed' || state === 'failed' ? state : 'running';
			};
			return { finalStateOf, source: "the nodes' finalStateOf (dist/nodes/shared/taskStatus.js)" };
		}
	}
	return { finalStateOf: localFinalStateOf, source: "the script's copy of the nodes' rule (no built dist/nodes/shared/taskStatus.js)" };
}

/** Writes the report, redacted, and returns its path. @param {string} dir @param {Record<string, unknown>} report @param {string} key */
function writeReport(dir, report, key) {
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `conformance-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
	const text = JSON.stringify(redact(report, key), null, 2);
	fs.writeFileSync(file, key ? text.split(key).join('***') : text);
	return file;
}

/** @param {string[]} argv @returns {Promise<number>} the exit code */
async function main(argv) {
	const options = parseArgs(argv);
	if (options.help) return console.log(USAGE), 0;
	const key = process.env.APERTIS_API_KEY ?? '';
	if (key.trim() === '') throw new UsageError('set the environment variable APERTIS_API_KEY to the key to check (it is read from nowhere else)');
	console.log(planText(options));
	if (!(await confirm(options.yes))) return console.log('Nothing started.'), 1;

	const { finalStateOf, source } = loadFinalStateOf();
	const recorder = createRecorder();
	const log = (/** @type {string} */ text) => console.log(redactText(text, key));
	const ctx = { baseUrl: options.baseUrl, key, prompt: PROMPT, pollMs: options.pollSeconds * 1000, deadline: Date.now() + options.timeoutMinutes * 60_000, recorder, finalStateOf, log };
	/** @type {import('./conformance/shapes').Seen} */
	const seen = { create: { polls: [] }, videos: { polls: [] } };
	const startedAt = new Date().toISOString();
	/** @type {Record<string, string>} */
	const outcomes = {};
	const save = () => {
		const o = observe(seen, finalStateOf);
		const names = matchVariants(o);
		const report = { startedAt, finishedAt: new Date().toISOString(), baseUrl: options.baseUrl, statusRule: source, outcomes, exchanges: recorder.exchanges, observations: o, signals: variantSignals(o), notCovered: uncovered(o), matchesSandboxVariant: names.length ? names : ['document'] };
		return { o, names, file: writeReport(options.out, report, key) };
	};
	process.once('SIGINT', () => {
		console.log(`\nInterrupted: the tasks keep running on the server. What was seen so far: ${save().file}`);
		process.exit(130);
	});

	const runs = /** @type {const} */ ([['create', runCreate], ['videos', runVideos], ['stream', runStream]]);
	await Promise.all(runs.map(async ([name, run]) => (outcomes[name] = (await run(ctx, seen)).outcome)));
	const { o, names, file } = save();
	log(`Outcomes: /v1/video/create ${outcomes.create}; /v1/videos ${outcomes.videos}; stream ${outcomes.stream}.`);
	log(`Report: ${file}`);
	for (const text of describeFindings(o, source, variantSignals(o), uncovered(o), names)) log(text);
	const finished = ['completed', 'failed'].includes(outcomes.create) && ['completed', 'failed'].includes(outcomes.videos) && outcomes.stream === 'ended';
	return finished ? 0 : 1;
}

module.exports = { parseArgs, main };

if (require.main === module) {
	main(process.argv.slice(2))
		.then((code) => process.exit(code))
		.catch((error) => {
			if (error instanceof UsageError) {
				console.error(`conformance: ${error.message}\n${USAGE}`);
				process.exit(2);
			}
			console.error(redactText(String(error instanceof Error ? error.stack : error), process.env.APERTIS_API_KEY ?? ''));
			process.exit(1);
		});
}
