// Figures from the sandbox's log and task timelines, and the peak RSS of an n8n process.
'use strict';
const fs = require('fs');

function percentile(values, p) {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The middle value (the mean of the two middle ones for an even count); null for none. */
function median(values) {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * What the sandbox saw of the executions that ran between `from` and `to` (epoch ms): their requests, 429s, and how
 * long after each task finished a client noticed. Several executions in one n8n process (a warm run after a cold
 * one, two at once) are told apart by time: tasks created and requests received inside the window.
 */
function windowFigures(sandbox, from, to) {
	const api = sandbox.requests().filter((r) => r.server === 'api' && r.at >= from && r.at <= to);
	const tasks = sandbox.tasks().filter((t) => t.createdAt >= from && t.createdAt <= to);
	const latencies = tasks.filter((t) => t.doneAt !== null && t.observedDoneAt !== null).map((t) => (t.observedDoneAt - t.doneAt) / 1000);
	const firstRequest = api[0]?.at ?? from;
	const slowestDoneAt = Math.max(...tasks.map((t) => t.doneAt ?? 0));
	return {
		tasks: tasks.length,
		wallS: (to - firstRequest) / 1000,
		slowestTaskS: (slowestDoneAt - firstRequest) / 1000,
		afterSlowestS: (to - slowestDoneAt) / 1000,
		requests: api.length,
		requestsPerTask: tasks.length ? api.length / tasks.length : null,
		rateLimited: api.filter((r) => r.status === 429).length,
		unnoticed: tasks.length - latencies.length,
		detectionS: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies.length ? Math.max(...latencies) : null },
	};
}

/** Samples VmHWM (the peak RSS the kernel keeps) of a process every 20 ms until it exits. */
function samplePeakRss(pid) {
	let peak = 0;
	const timer = setInterval(() => {
		try {
			const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
			const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
			if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
		} catch {
			clearInterval(timer);
		}
	}, 20);
	return { stop: () => (clearInterval(timer), peak), peak: () => peak };
}

module.exports = { percentile, median, windowFigures, samplePeakRss };
