import { AdaptivePace, PACE, type PaceTicket, paceOfKey } from '../../../../../nodes/shared/pacing/adaptivePace';
import { paceOf, reportAnswer, waitForSlot } from '../../../../../nodes/shared/transport/apertisRequest';
import { VirtualClock } from '../poller/virtualClock';

/** One caller of the transport in virtual time: waits for its slot, sends, and reports the status it got. */
async function send(pace: AdaptivePace, clock: VirtualClock, answer: () => { status?: number; retryAfterMs?: number }) {
	const ticket = (await waitForSlot(pace, clock)) as PaceTicket;
	const sentAt = clock.now();
	await clock.sleep(50);
	reportAnswer(pace, ticket, clock.now(), answer());
	return sentAt;
}

const ok = () => ({ status: 200 });

describe('every request waits for its slot in the pace of its API key', () => {
	test('a 429 met by one caller pauses another caller of the same key for its Retry-After', async () => {
		const clock = new VirtualClock();
		const pace = new AdaptivePace();
		const first = send(pace, clock, () => ({ status: 429, retryAfterMs: 1000 }));
		const [, second] = await clock.run(Promise.all([first, clock.sleep(100).then(() => send(pace, clock, ok))]));
		expect(second).toBeGreaterThanOrEqual(1050);
		expect(pace.requestsPerSecond).toBeLessThan(PACE.initialRate);
	});

	test('a slot booked before a 429 arrived is booked again after its pause', async () => {
		const clock = new VirtualClock();
		const pace = new AdaptivePace(1);
		const limited = send(pace, clock, () => ({ status: 429, retryAfterMs: 3000 }));
		const queued = send(pace, clock, ok);
		const [, sentAt] = await clock.run(Promise.all([limited, queued]));
		expect(sentAt).toBeGreaterThanOrEqual(3050);
	});

	test('requests that succeed one after another raise the pace (slow start); a network error says nothing', async () => {
		const clock = new VirtualClock();
		const pace = new AdaptivePace();
		const oneAfterAnother = async () => {
			const starts: number[] = [];
			for (let i = 0; i < 20; i++) starts.push(await send(pace, clock, ok));
			return starts;
		};
		const starts = await clock.run(oneAfterAnother());
		// At the initial 10 requests/s throughout, 20 requests would take 1.9 s.
		expect(Math.max(...starts)).toBeLessThan(1500);
		expect(pace.requestsPerSecond).toBeGreaterThan(20);
		const before = pace.requestsPerSecond;
		reportAnswer(pace, pace.take(clock.now()), clock.now(), {});
		expect(pace.requestsPerSecond).toBe(before);
	});

	test('a cancel during the wait ends it without a slot', async () => {
		const pace = new AdaptivePace(0.2);
		pace.take(0);
		await expect(waitForSlot(pace, { now: () => 0, sleep: async () => false })).resolves.toBeUndefined();
	});
});

describe('paceOf: which pace a request waits for', () => {
	const api = 'https://pace-a.example.test';

	test('a request to the API waits for its key’s pace; another key has its own', () => {
		expect(paceOf({}, api, 'sk-one')).toBe(paceOfKey(api, 'sk-one'));
		expect(paceOf({ absoluteUrl: `${api}/v1/videos/x/content` }, api, 'sk-one')).toBe(paceOfKey(api, 'sk-one'));
		expect(paceOf({}, api, 'sk-two')).not.toBe(paceOf({}, api, 'sk-one'));
	});

	test('a video on another host (its storage) and the poller’s own checks wait for no slot', () => {
		expect(paceOf({ absoluteUrl: 'https://storage.example.test/v.mp4' }, api, 'sk-one')).toBeUndefined();
		expect(paceOf({ pacedByCaller: true }, api, 'sk-one')).toBeUndefined();
	});
});
