/**
 * Idempotency semantics in the real pipeline, on the memory store: a completed job is not run
 * again, a running one is deferred (never run beside it, never buried for it), a conflicting
 * payload is buried, failures release the key, a timed-out run keeps it, store errors retry.
 */
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_BACKOFF } from '../../src/backoff.ts';
import { PermanentError } from '../../src/errors.ts';
import { createMemoryIdempotencyStore } from '../../src/idempotency/memory-store.ts';
import { chargeBody, chargeJob, deferred, delivery, flakyStore, linesOf, testClock, testPipeline } from './helpers.ts';

const order = { orderId: 'o-1', amountCents: 1999 };

describe('idempotency in the pipeline', () => {
  it('runs a job once: a second delivery completes with the stored result and logs job.duplicate', async () => {
    const { job, runs } = chargeJob({ store: createMemoryIdempotencyStore() });
    const { pipeline, logger } = testPipeline([job]);
    const body = chargeBody(order, { id: 'job-1' });

    const first = await pipeline.run(delivery(body));
    const second = await pipeline.run(delivery(body, { attempt: 2, transportId: 't-2' }));

    expect(runs).toHaveLength(1);
    expect(first).toMatchObject({ type: 'completed', result: { receipt: 'r-o-1', amountCents: 1999 } });
    expect(first).not.toHaveProperty('duplicate');
    expect(second).toMatchObject({ type: 'completed', duplicate: true, result: { receipt: 'r-o-1', amountCents: 1999 } });
    expect(linesOf(logger, 'job.duplicate')).toEqual([
      expect.objectContaining({ level: 'info', job: 'charge', jobId: 'job-1', queue: 'q', adapter: 'memory', attempt: 2, transportId: 't-2', outcome: 'completed', reason: 'duplicate', durationMs: expect.any(Number) }),
    ]);
  });

  it('gives the handler its idempotency key (ctx.idempotencyKey): the same on every delivery of the job', async () => {
    const keys: Array<string | undefined> = [];
    const { job } = chargeJob({
      store: createMemoryIdempotencyStore(),
      handler: (payload, ctx) => {
        keys.push(ctx.idempotencyKey);
        throw new Error('the provider timed out');
      },
    });
    const { pipeline } = testPipeline([job]);

    await pipeline.run(delivery(chargeBody(order, { id: 'job-1' })));
    await pipeline.run(delivery(chargeBody(order, { id: 'job-2' }), { attempt: 2 }));

    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^charge#p:[0-9a-f]{64}$/);
    expect(keys[1]).toBe(keys[0]);
  });

  it('derives the key from the payload canonically: another id and another key order is the same job', async () => {
    const { job, runs } = chargeJob({ store: createMemoryIdempotencyStore() });
    const { pipeline } = testPipeline([job]);
    await pipeline.run(delivery('{"v":1,"id":"a","name":"charge","createdAt":"2025-01-01T00:00:00Z","payload":{"orderId":"o-1","amountCents":5,"meta":{"x":1,"y":[1,2]}}}'));
    const again = await pipeline.run(delivery('{"v":1,"id":"b","name":"charge","createdAt":"2025-01-02T00:00:00Z","payload":{"meta":{"y":[1,2],"x":1},"amountCents":5,"orderId":"o-1"}}'));
    const other = await pipeline.run(delivery('{"v":1,"id":"c","name":"charge","createdAt":"2025-01-02T00:00:00Z","payload":{"meta":{"y":[2,1],"x":1},"amountCents":5,"orderId":"o-1"}}'));
    expect(again).toMatchObject({ type: 'completed', duplicate: true });
    expect(other).toMatchObject({ type: 'completed' });
    expect(other).not.toHaveProperty('duplicate');
    expect(runs).toHaveLength(2);
  });

  it("keeps __proto__ and case-variant fields in the payload key: they make different jobs", async () => {
    const { job, runs } = chargeJob({ store: createMemoryIdempotencyStore() });
    const { pipeline } = testPipeline([job]);
    const envelope = (payload: string) => `{"v":1,"id":"x","name":"charge","createdAt":"2025-01-01T00:00:00Z","payload":${payload}}`;
    const bodies = [
      '{"orderId":"o","amountCents":1}',
      '{"orderId":"o","amountCents":1,"__proto__":{"admin":true}}',
      '{"orderId":"o","amountCents":1,"__proto__":{"admin":false}}',
      '{"orderId":"o","amountCents":1,"Id":1,"id":2}',
      '{"orderId":"o","amountCents":1,"Id":2,"id":1}',
    ];
    for (const payload of bodies) expect(await pipeline.run(delivery(envelope(payload)))).toMatchObject({ type: 'completed' });
    expect(runs).toHaveLength(5);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it("with key 'dedupeKey': the same dedupeKey is one job; a job without one is buried, not run", async () => {
    const { job, runs } = chargeJob({ store: createMemoryIdempotencyStore(), idempotency: { key: 'dedupeKey' } });
    const { pipeline } = testPipeline([job]);
    await pipeline.run(delivery(chargeBody(order, { dedupeKey: 'order-o-1' })));
    const dup = await pipeline.run(delivery(chargeBody(order, { dedupeKey: 'order-o-1' })));
    const missing = await pipeline.run(delivery(chargeBody(order)));
    expect(dup).toMatchObject({ type: 'completed', duplicate: true });
    expect(missing).toMatchObject({ type: 'buried', reason: 'idempotency-key-invalid', detail: expect.stringMatching(/dedupeKey.*enqueue it with \{ dedupeKey \}/) });
    expect(runs).toHaveLength(1);
  });

  it("with key 'id': redeliveries of one envelope are one job; another envelope with the same payload runs", async () => {
    const { job, runs } = chargeJob({ store: createMemoryIdempotencyStore(), idempotency: { key: 'id' } });
    const { pipeline } = testPipeline([job]);
    const first = chargeBody(order, { id: 'env-1' });
    await pipeline.run(delivery(first));
    expect(await pipeline.run(delivery(first, { attempt: 2 }))).toMatchObject({ type: 'completed', duplicate: true });
    expect(await pipeline.run(delivery(chargeBody(order, { id: 'env-2' })))).not.toHaveProperty('duplicate');
    expect(await pipeline.run(delivery(chargeBody({ ...order, amountCents: 1 }, { id: 'env-1' })))).toMatchObject({ type: 'buried', reason: 'idempotency-conflict' });
    expect(runs).toHaveLength(2);
  });

  it('gives a key function the envelope id and dedupeKey besides the payload', async () => {
    const seen: unknown[] = [];
    const { job } = chargeJob({ store: createMemoryIdempotencyStore(), idempotency: { key: (p, envelope) => (seen.push(envelope), `${p.orderId}/${envelope.dedupeKey ?? envelope.id}`) } });
    await testPipeline([job]).pipeline.run(delivery(chargeBody(order, { id: 'env-7', dedupeKey: 'dk' })));
    expect(seen).toEqual([{ id: 'env-7', dedupeKey: 'dk' }]);
  });

  it('with a key function: the same key with a different payload is buried as idempotency-conflict', async () => {
    const { job, runs } = chargeJob({ store: createMemoryIdempotencyStore(), idempotency: { key: (p) => p.orderId } });
    const { pipeline, logger } = testPipeline([job]);
    await pipeline.run(delivery(chargeBody(order)));
    const conflict = await pipeline.run(delivery(chargeBody({ ...order, amountCents: 2999 })));
    expect(conflict).toMatchObject({ type: 'buried', reason: 'idempotency-conflict', detail: expect.stringMatching(/^idempotency key charge#k:[0-9a-f]{64} is held by a different payload/) });
    expect(runs).toHaveLength(1);
    expect(linesOf(logger, 'job.invalid')).toEqual([expect.objectContaining({ reason: 'idempotency-conflict', outcome: 'buried' })]);
  });

  it('buries a job whose key function throws or returns no string, naming the problem', async () => {
    const store = createMemoryIdempotencyStore();
    const throwing = chargeJob({ store, idempotency: { key: () => { throw new TypeError('no order id'); } } });
    const { pipeline } = testPipeline([throwing.job]);
    expect(await pipeline.run(delivery(chargeBody(order)))).toMatchObject({ type: 'buried', reason: 'idempotency-key-invalid', detail: 'job charge: idempotency.key(payload) threw TypeError: no order id' });
    const empty = chargeJob({ store, idempotency: { key: () => '' } });
    expect(await testPipeline([empty.job]).pipeline.run(delivery(chargeBody(order)))).toMatchObject({ reason: 'idempotency-key-invalid', detail: expect.stringContaining('must return a non-empty string, got an empty string') });
    expect(throwing.runs.length + empty.runs.length).toBe(0);
  });

  it('defers a delivery that finds the job running, for what is left of the claim, even on its last attempt', async () => {
    const clock = testClock();
    const gate = deferred();
    const started = deferred();
    const { job, runs } = chargeJob({ store: createMemoryIdempotencyStore({ now: clock.now }), handler: async () => (started.resolve(), gate.promise), job: { maxAttempts: 3 } });
    const { pipeline, logger } = testPipeline([job], { now: clock.now });
    const body = chargeBody(order);

    const running = pipeline.run(delivery(body));
    await started.promise;
    clock.advance(4_000);
    const copy = await pipeline.run(delivery(body, { attempt: 3 }));
    gate.resolve();
    const done = await running;

    expect(copy).toEqual({ type: 'deferred', envelope: expect.objectContaining({ name: 'charge' }), delayMs: 10_000 + 1_000 - 4_000 });
    expect(runs).toHaveLength(1);
    expect(done.type).toBe('completed');
    expect(linesOf(logger, 'job.deferred')).toEqual([expect.objectContaining({ reason: 'in-progress', outcome: 'deferred', delayMs: 7_000, attempt: 3 })]);
    // The deferred copy comes back as a new delivery (attempt 1) and completes without running.
    expect(await pipeline.run(delivery(body))).toMatchObject({ type: 'completed', duplicate: true });
  });

  it('never runs two deliveries at once: of 10 concurrent deliveries one runs, the rest are deferred', async () => {
    const gate = deferred();
    let running = 0;
    let most = 0;
    const { job, runs } = chargeJob({
      store: createMemoryIdempotencyStore(),
      handler: async () => {
        most = Math.max(most, ++running);
        await gate.promise;
        running--;
      },
    });
    const { pipeline } = testPipeline([job]);
    const body = chargeBody(order);
    const outcomes = Array.from({ length: 10 }, (_, i) => pipeline.run(delivery(body, { transportId: `t-${i}` })));
    const settled = await Promise.all(outcomes.slice(1));
    gate.resolve();
    expect([(await outcomes[0])!.type, ...settled.map((o) => o.type)]).toEqual(['completed', ...Array(9).fill('deferred')]);
    expect([runs.length, most]).toEqual([1, 1]);
  });

  it('releases the key after a retryable failure: the retry runs and completes', async () => {
    let calls = 0;
    const { job, runs } = chargeJob({
      store: createMemoryIdempotencyStore(),
      handler: () => {
        if (++calls === 1) throw new Error('card network down');
        return 'ok';
      },
    });
    const { pipeline } = testPipeline([job]);
    const body = chargeBody(order);
    expect(await pipeline.run(delivery(body))).toMatchObject({ type: 'retry', delayMs: backoffDelayMs(DEFAULT_BACKOFF, 1, () => 0.5) });
    expect(await pipeline.run(delivery(body, { attempt: 2 }))).toMatchObject({ type: 'completed', result: 'ok' });
    expect(runs).toHaveLength(2);
  });

  it('releases the key of a buried job, so that a kick can run it again', async () => {
    let fail = true;
    const { job, runs } = chargeJob({
      store: createMemoryIdempotencyStore(),
      handler: () => {
        if (fail) throw new PermanentError('card declined');
      },
    });
    const { pipeline } = testPipeline([job]);
    const body = chargeBody(order);
    expect(await pipeline.run(delivery(body))).toMatchObject({ type: 'buried', reason: 'permanent-error' });
    fail = false;
    expect(await pipeline.run(delivery(body))).toMatchObject({ type: 'completed' });
    expect(runs).toHaveLength(2);
  });

  it('keeps the claim of a timed-out run: its retry waits for the claim to expire, and no copy runs beside it', async () => {
    const store = createMemoryIdempotencyStore();
    const { job, runs } = chargeJob({ store, job: { timeoutMs: 50, backoff: { type: 'fixed', delayMs: 10 } }, idempotency: { claimMarginMs: 400 }, handler: () => new Promise(() => {}) });
    const { pipeline, logger } = testPipeline([job]);
    const body = chargeBody(order);
    const startedAt = Date.now();

    const timedOut = await pipeline.run(delivery(body));
    const answeredAt = Date.now();
    const copy = await pipeline.run(delivery(body, { attempt: 2 }));

    expect(timedOut).toMatchObject({ type: 'retry', error: { name: 'TimeoutError' } });
    const retryAt = answeredAt + (timedOut.type === 'retry' ? timedOut.delayMs : 0);
    expect(retryAt).toBeGreaterThanOrEqual(startedAt + 450);
    expect(copy.type).toBe('deferred');
    expect(runs).toHaveLength(1);
    expect(linesOf(logger, 'idempotency.claim-kept')).toHaveLength(1);
  });

  it('lets another worker run a job whose claim expired (a crashed run), and logs the late completion as lost', async () => {
    const clock = testClock();
    const store = createMemoryIdempotencyStore({ now: clock.now });
    const gate = deferred<string>();
    const started = deferred();
    const crashed = chargeJob({ store, handler: () => (started.resolve(), gate.promise) });
    const healthy = chargeJob({ store, handler: () => 'second run' });
    const a = testPipeline([crashed.job]);
    const b = testPipeline([healthy.job], { now: clock.now });
    const body = chargeBody(order);

    const stuck = a.pipeline.run(delivery(body));
    await started.promise;
    clock.advance(10_000 + 1_000);
    const recovered = await b.pipeline.run(delivery(body, { attempt: 2 }));
    gate.resolve('first run, too late');
    await stuck;

    expect(recovered).toMatchObject({ type: 'completed', result: 'second run' });
    expect(linesOf(a.logger, 'idempotency.claim-lost')).toHaveLength(1);
    expect(await b.pipeline.run(delivery(body))).toMatchObject({ type: 'completed', duplicate: true, result: 'second run' });
  });

  it("with ifAbandoned: 'bury': buries a job whose earlier run died holding its claim as idempotency-in-doubt, never runs it again, and runs it once forgotten and kicked", async () => {
    const clock = testClock();
    const store = createMemoryIdempotencyStore({ now: clock.now });
    const started = deferred();
    const dying = chargeJob({ store, idempotency: { ifAbandoned: 'bury' }, handler: () => (started.resolve(), new Promise(() => {})) });
    const healthy = chargeJob({ store, idempotency: { ifAbandoned: 'bury' } });
    const a = testPipeline([dying.job]);
    const b = testPipeline([healthy.job], { now: clock.now });
    const body = chargeBody(order, { id: 'job-1' });

    void a.pipeline.run(delivery(body)); // its worker dies mid-run: the claim is never completed
    await started.promise;
    expect(await b.pipeline.run(delivery(body, { attempt: 2 }))).toMatchObject({ type: 'deferred' });
    clock.advance(10_000 + 1_000);
    const inDoubt = await b.pipeline.run(delivery(body, { attempt: 3 }));
    const again = await b.pipeline.run(delivery(body, { attempt: 1 })); // a kick without forget: still in doubt

    expect(inDoubt).toMatchObject({ type: 'buried', reason: 'idempotency-in-doubt', detail: expect.stringMatching(/^idempotency key charge#p:[0-9a-f]{64}: an earlier run claimed it and neither completed nor released its claim before it expired at 20.*forget the key \(store\.forget\(key\)\) and kick the job$/) });
    expect(again).toMatchObject({ type: 'buried', reason: 'idempotency-in-doubt' });
    expect(healthy.runs).toHaveLength(0);
    // job.buried, not job.invalid: a kick helps, once the key is forgotten.
    expect(linesOf(b.logger, 'job.buried')).toEqual([expect.objectContaining({ level: 'error', reason: 'idempotency-in-doubt', outcome: 'buried' }), expect.objectContaining({ reason: 'idempotency-in-doubt' })]);
    expect(linesOf(b.logger, 'job.invalid')).toEqual([]);

    // The operator found no charge: forget the key, kick the job.
    const key = /(charge#p:[0-9a-f]{64})/.exec(inDoubt.type === 'buried' ? inDoubt.detail : '')![1]!;
    expect(await store.forget!(key)).toBe(true);
    expect(await b.pipeline.run(delivery(body))).toMatchObject({ type: 'completed', result: { receipt: 'r-o-1' } });
    expect(await b.pipeline.run(delivery(body))).toMatchObject({ type: 'completed', duplicate: true });
    expect(healthy.runs).toHaveLength(1);
  });

  it("with ifAbandoned: 'bury': a run that failed released its key, so its retry runs; a timed-out run is in doubt", async () => {
    const store = createMemoryIdempotencyStore();
    let fail = true;
    const flaky = chargeJob({ store, idempotency: { ifAbandoned: 'bury' }, handler: () => { if (fail) throw new Error('provider down'); return 'ok'; } });
    const p = testPipeline([flaky.job]);
    const body = chargeBody(order);
    expect(await p.pipeline.run(delivery(body))).toMatchObject({ type: 'retry' });
    fail = false;
    expect(await p.pipeline.run(delivery(body, { attempt: 2 }))).toMatchObject({ type: 'completed', result: 'ok' });

    const hung = chargeJob({ store, job: { timeoutMs: 50, backoff: { type: 'fixed', delayMs: 10 } }, idempotency: { ifAbandoned: 'bury', claimMarginMs: 100 }, handler: () => new Promise(() => {}) });
    const q = testPipeline([hung.job]);
    const other = chargeBody({ orderId: 'o-2', amountCents: 5 });
    const timedOut = await q.pipeline.run(delivery(other));
    expect(timedOut).toMatchObject({ type: 'retry', error: { name: 'TimeoutError' } });
    await new Promise((r) => setTimeout(r, timedOut.type === 'retry' ? timedOut.delayMs + 5 : 0));
    expect(await q.pipeline.run(delivery(other, { attempt: 2 }))).toMatchObject({ type: 'buried', reason: 'idempotency-in-doubt' });
    expect(hung.runs).toHaveLength(1);
  });

  it("with ifAbandoned: 'bury': what is in doubt besides a dead worker: a timeout on the last attempt, a completion or a release the store failed to record", async () => {
    const clock = testClock();
    const { store, failing } = flakyStore(clock);
    const bury = { ifAbandoned: 'bury' as const };
    const copyAfterExpiry = async (p: ReturnType<typeof testPipeline>, body: string) => {
      clock.advance(60_000);
      return p.pipeline.run(delivery(body)); // a duplicate, or a kick: attempt 1
    };

    // A handler past its timeout on its last attempt may still finish its effect: its claim is kept.
    const hung = chargeJob({ store, job: { timeoutMs: 30, maxAttempts: 1 }, idempotency: bury, handler: () => new Promise(() => {}) });
    const a = testPipeline([hung.job]); // its timeout watchdog runs on real time
    const hungBody = chargeBody({ orderId: 'o-hung', amountCents: 1 });
    expect(await a.pipeline.run(delivery(hungBody))).toMatchObject({ type: 'buried', reason: 'attempts-exhausted', error: { name: 'TimeoutError' } });
    expect(await copyAfterExpiry(a, hungBody)).toMatchObject({ type: 'buried', reason: 'idempotency-in-doubt' });
    expect(hung.runs).toHaveLength(1);

    // The handler succeeded, the store did not record it: acknowledged, and a late copy is in doubt.
    const paid = chargeJob({ store, idempotency: bury });
    const b = testPipeline([paid.job], { now: clock.now });
    const paidBody = chargeBody({ orderId: 'o-paid', amountCents: 2 });
    failing.add('complete');
    expect(await b.pipeline.run(delivery(paidBody))).toMatchObject({ type: 'completed' });
    failing.delete('complete');
    expect(await copyAfterExpiry(b, paidBody)).toMatchObject({ type: 'buried', reason: 'idempotency-in-doubt' });

    // The handler failed, the release failed: its retry (after the claim) is in doubt.
    let fail = true;
    const flaky = chargeJob({ store, idempotency: bury, handler: () => { if (fail) throw new Error('provider down'); return 'ok'; } });
    const c = testPipeline([flaky.job], { now: clock.now });
    const flakyBody = chargeBody({ orderId: 'o-flaky', amountCents: 3 });
    failing.add('release');
    expect(await c.pipeline.run(delivery(flakyBody))).toMatchObject({ type: 'retry' });
    failing.delete('release');
    fail = false;
    expect(await copyAfterExpiry(c, flakyBody)).toMatchObject({ type: 'buried', reason: 'idempotency-in-doubt' });
    expect(paid.runs).toHaveLength(1);
    expect(flaky.runs).toHaveLength(1);
  });

  it('retries with the backoff when the store fails to claim, without running the handler; buries on the last attempt', async () => {
    const { store, failing } = flakyStore();
    failing.add('claim');
    const { job, runs } = chargeJob({ store, job: { maxAttempts: 2 } });
    const { pipeline, logger } = testPipeline([job]);
    const body = chargeBody(order);

    const first = await pipeline.run(delivery(body));
    const last = await pipeline.run(delivery(body, { attempt: 2 }));

    expect(first).toMatchObject({ type: 'retry', delayMs: backoffDelayMs(DEFAULT_BACKOFF, 1, () => 0.5), error: { name: 'IdempotencyError', message: '[flaky] idempotency claim failed: NetworkingError: connect ECONNREFUSED 127.0.0.1:8000 (claim)' } });
    expect(last).toMatchObject({ type: 'buried', reason: 'attempts-exhausted', detail: expect.stringContaining('failed 2 of 2 attempts; last error: IdempotencyError: [flaky] idempotency claim failed') });
    expect(runs).toHaveLength(0);
    expect(linesOf(logger, 'job.retry')).toHaveLength(1);
  });

  it('acknowledges a run whose completion the store failed to record, and says so', async () => {
    const { store, failing } = flakyStore();
    failing.add('complete');
    const { job } = chargeJob({ store });
    const { pipeline, logger } = testPipeline([job]);
    expect(await pipeline.run(delivery(chargeBody(order)))).toMatchObject({ type: 'completed' });
    expect(linesOf(logger, 'idempotency.error')).toEqual([expect.objectContaining({ level: 'error', detail: expect.stringContaining('marking the job completed failed'), error: expect.objectContaining({ name: 'IdempotencyError' }) })]);
  });

  it('when the release fails after a failure, the retry waits for the claim to expire', async () => {
    const { store, failing } = flakyStore();
    failing.add('release');
    const { job } = chargeJob({ store, handler: () => { throw new Error('flaky'); } });
    const { pipeline } = testPipeline([job]);
    const outcome = await pipeline.run(delivery(chargeBody(order)));
    expect(outcome.type).toBe('retry');
    expect(outcome.type === 'retry' && outcome.delayMs).toBeGreaterThan(10_000);
  });

  it('completes a job whose result is not JSON, and its duplicates with no result', async () => {
    const { job } = chargeJob({ store: createMemoryIdempotencyStore(), handler: () => ({ big: 10n }) });
    const { pipeline, logger } = testPipeline([job]);
    const body = chargeBody(order);
    expect(await pipeline.run(delivery(body))).toMatchObject({ type: 'completed', result: { big: 10n } });
    expect(await pipeline.run(delivery(body))).toMatchObject({ type: 'completed', duplicate: true, result: undefined });
    expect(linesOf(logger, 'idempotency.result-not-kept')).toEqual([expect.objectContaining({ detail: expect.stringContaining('the result is not JSON (TypeError') })]);
  });

  it('retries, never runs, when a store answers nonsense', async () => {
    const { job, runs } = chargeJob({
      store: { name: 'broken', claim: async () => ({ status: 'maybe' }) as never, complete: async () => true, release: async () => true },
    });
    const outcome = await testPipeline([job]).pipeline.run(delivery(chargeBody(order)));
    expect(outcome).toMatchObject({ type: 'retry', error: { name: 'IdempotencyError', message: expect.stringContaining('unknown status "maybe"') } });
    expect(runs).toHaveLength(0);
  });

  it('separates jobs: the same payload under two job names runs both', async () => {
    const store = createMemoryIdempotencyStore();
    const a = chargeJob({ store });
    const b = chargeJob({ store, job: { name: 'refund' } });
    const { pipeline } = testPipeline([a.job, b.job]);
    await pipeline.run(delivery(chargeBody(order)));
    await pipeline.run(delivery(chargeBody(order).replace('"name":"charge"', '"name":"refund"')));
    expect([a.runs.length, b.runs.length]).toEqual([1, 1]);
  });
});
