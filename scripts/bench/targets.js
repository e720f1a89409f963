// The targets of side A, each judged met or not. A batch target is judged at each seed (its figure against its
// limit, as a ratio: ≤ 1 is met there) and decided by the median over the seeds; the worst seed and the replica's
// spread over many more seeds are reported beside it.
'use strict';

const { median } = require('./measure');

const fmt = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? '–' : Number.isFinite(value) ? Number(value).toFixed(digits) : '∞');
const mb = (bytes) => (bytes === null || bytes === undefined ? '–' : `${(bytes / 1024 ** 2).toFixed(0)} MB`);
const signedMb = (bytes) => (bytes === null || bytes === undefined ? '–' : `${bytes >= 0 ? '+' : '−'}${Math.abs(bytes / 1024 ** 2).toFixed(1)} MB`);


/** The run may end at most this long after its slowest task. */
const WALL_SLACK_S = 2;
/** The warm target: the warm run notices finishes in at most this share of the loop's p95. */
const WARM_SHARE = 0.6;
/** At most this share of the requests of two executions at once may meet a 429. */
const MAX_429_SHARE = 0.05;
/** Creates side by side: the node's default finishes a batch's creates in at most this share of one at a time. */
const CREATE_SHARE = 0.2;
/** At the API's latency the whole batch may end at most this much after the loop's (which sends every create at once). */
const BATCH_SLACK_S = 5;
/** Sora items side by side take at most this many times one item's wall time. */
const SORA_FACTOR = 1.3;
/** The biggest video may cost at most this much more peak memory than the one before it. */
const MAX_EXTRA_BYTES = 16 * 1024 ** 2;

const shareOf = (run) => (run === 'warm' ? WARM_SHARE : 1);

/** A batch row of real n8n or of the replica, in one shape. */
function figuresOf(row) {
	return { seed: row.seed, requests: row.requests, p95S: row.p95S ?? row.detectionS?.p95 ?? null, afterSlowestS: row.afterSlowestS, failed: row.failedItems ?? row.n - row.completed };
}

/** The batch targets: what each compares (A's figures `a`, the loop's `b`), as a ratio to its limit. */
const BATCH_MEASURES = {
	wall: {
		label: () => `wall ≤ slowest task + ${WALL_SLACK_S} s`,
		ratio: (a) => (a.failed > 0 ? Infinity : a.afterSlowestS / WALL_SLACK_S),
		show: (a) => `A ended ${fmt(a.afterSlowestS)} s after its slowest task`,
	},
	requests: {
		label: () => "total requests ≤ the loop's",
		ratio: (a, b) => a.requests / b.requests,
		show: (a, b) => `A ${a.requests}, B ${b.requests}`,
	},
	p95: {
		label: (run) => `p95 detection ≤ ${shareOf(run) === 1 ? '' : `${shareOf(run)} × `}the loop's p95`,
		ratio: (a, b, run) => (a.p95S === null ? Infinity : a.p95S / (shareOf(run) * b.p95S)),
		show: (a, b) => `A ${fmt(a.p95S)} s, B ${fmt(b.p95S)} s`,
	},
};

/** One batch target at each seed of `rows`: A's and B's figures there, and the ratio to the limit. */
function atEachSeed(rows, n, run, key) {
	const measure = BATCH_MEASURES[key];
	const seeds = [...new Set(rows.map((r) => r.seed))].sort((x, y) => x - y);
	const of = (seed, side) => rows.find((r) => r.seed === seed && r.n === n && r.run === run && r.side === side);
	return seeds
		.map((seed) => ({ seed, a: of(seed, 'A'), b: of(seed, 'B') }))
		.filter(({ a, b }) => a && (b || key === 'wall'))
		.map(({ seed, a, b }) => {
			const [fa, fb] = [figuresOf(a), b && figuresOf(b)];
			return { seed, ratio: measure.ratio(fa, fb, run), shown: measure.show(fa, fb) };
		});
}

/** The seed whose figure is furthest over (or least under) its limit. */
const worstOf = (seeds) => seeds.reduce((w, s) => (s.ratio > w.ratio ? s : w));

/** "met at 21 of 24 seeds, median 0.86, worst 1.21 (seed 15)" */
function spreadText(seeds) {
	const worst = worstOf(seeds);
	const met = seeds.filter((s) => s.ratio <= 1).length;
	return `met at ${met} of ${seeds.length} seeds, median ${fmt(median(seeds.map((s) => s.ratio)), 2)}, worst ${fmt(worst.ratio, 2)} (seed ${worst.seed})`;
}

function batchTargets(results, add) {
	const replicaRows = results.replica?.rows ?? [];
	const kinds = [...new Set(results.batches.filter((b) => b.side === 'A').map((b) => `${b.n}|${b.run}`))];
	for (const kind of kinds) {
		const [n, run] = [Number(kind.split('|')[0]), kind.split('|')[1]];
		for (const key of Object.keys(BATCH_MEASURES)) {
			const seeds = atEachSeed(results.batches, n, run, key);
			if (seeds.length === 0) continue;
			const judged = median(seeds.map((s) => s.ratio));
			const bySeed = seeds.map((s) => `seed ${s.seed}: ${s.shown}`).join('; ');
			const replica = atEachSeed(replicaRows, n, run, key);
			const replicaText = replica.length ? `; replica: ${spreadText(replica)}` : '';
			const text = `${run} run at N=${n}: ${BATCH_MEASURES[key].label(run)} (${bySeed}; median ${fmt(judged, 2)} of the limit${seeds.length > 1 ? `, worst seed ${worstOf(seeds).seed}` : ''}${replicaText})`;
			add(`${key}-${run}`, judged <= 1, text);
		}
	}
}

/** Two executions at once under the rate limit, at each seed: 0 failed, and few 429s. */
function limitTargets(results, add) {
	const runs = results.rateLimit.filter((r) => r.side === 'A');
	if (runs.length === 0) return;
	const pair = `${runs[0].executions ?? 1} executions × ${runs[0].n / (runs[0].executions ?? 1)} tasks under ${runs[0].limit} requests/s`;
	const share = (r) => r.rateLimited / Math.max(1, r.requests);
	const failedBySeed = runs.map((r) => `seed ${r.seed}: ${r.failedItems} failed`).join('; ');
	add('limit-failed', median(runs.map((r) => (r.failedItems === 0 && r.ok ? 0 : 1))) === 0, `${pair}: 0 failed items (${failedBySeed})`);
	const sharesBySeed = runs.map((r) => `seed ${r.seed}: ${r.rateLimited} of ${r.requests}, ${fmt(100 * share(r))} %`).join('; ');
	add('limit-429', median(runs.map(share)) <= MAX_429_SHARE, `${pair}: 429 answers ≤ 5 % of requests (${sharesBySeed}; median ${fmt(100 * median(runs.map(share)))} %)`);
}

/** The targets of the latency part (creates, whole batch, Sora side by side, a rate limit at latency). */
function latencyTargets(l, add) {
	if (!l) return;
	const at = `at ${l.latencyMs} ms a request`;
	const [a, a1, b] = ['A', 'A, concurrency 1', 'B'].map((label) => l.creates.find((c) => c.label === label));
	if (a && a1) add('latency-creates', a.created === l.n && a.spanS <= CREATE_SHARE * a1.spanS, `${l.n} creates ${at}: A's first create to last task created ≤ ${CREATE_SHARE} × A at concurrency 1 (A ${fmt(a.spanS)} s, concurrency 1 ${fmt(a1.spanS)} s${b ? `, B ${fmt(b.spanS)} s` : ''})`);
	const [ba, bb] = ['A', 'B'].map((side) => l.batches.find((x) => x.side === side));
	if (ba && bb) add('latency-batch', ba.failedItems === 0 && ba.wallS <= bb.wallS + BATCH_SLACK_S && ba.requests <= bb.requests, `cold batch of ${l.n} ${at}: A's wall ≤ B's + ${BATCH_SLACK_S} s at ≤ B's requests, 0 failed (A ${fmt(ba.wallS)} s, ${ba.requests} requests, ${ba.failedItems} failed; B ${fmt(bb.wallS)} s, ${bb.requests} requests)`);
	const { one, many } = l.sora ?? {};
	if (one && many) add('latency-sora', many.failedItems === 0 && many.wallS <= SORA_FACTOR * one.wallS, `${many.n} Sora Chat Stream items side by side ${at}: wall ≤ ${SORA_FACTOR} × one item's (${fmt(many.wallS)} s against ${fmt(one.wallS)} s)`);
	const lim = l.limited;
	if (lim) {
		const share = lim.rateLimited / Math.max(1, lim.requests);
		add('latency-limit', lim.failedItems === 0 && share <= MAX_429_SHARE, `${lim.n} rows under ${l.limit} requests/s ${at}: 0 failed, 429 answers ≤ 5 % of requests (${lim.failedItems} failed; ${lim.rateLimited} of ${lim.requests}, ${fmt(100 * share)} %)`);
	}
}

/** The last two videos of the memory part: the biggest, and the one before it (the target's baseline). */
const lastTwo = (m) => m.sizes.slice(-2);

function memoryTarget(m, add) {
	if (!m?.sizes) return;
	const [base, big] = lastTwo(m);
	add('memory', base.ok && big.ok && m.extraBytes <= MAX_EXTRA_BYTES, `peak RSS for a ${mb(big.bytes)} video ≤ peak RSS for a ${mb(base.bytes)} video + 16 MB (the same download node: ${mb(big.medianPeak)} against ${mb(base.medianPeak)}, ${signedMb(m.extraBytes)}; medians of ${big.peaks.length})`);
}

/** Every target as { met, text, key }, in the order of the issue. */
function targetList(results) {
	const list = [];
	const add = (key, met, text) => list.push({ key, met, text });
	batchTargets(results, add);
	limitTargets(results, add);
	latencyTargets(results.latency, add);
	memoryTarget(results.memory, add);
	return list;
}

module.exports = { targetList, figuresOf, median, lastTwo, fmt, mb, signedMb, MAX_EXTRA_BYTES };
