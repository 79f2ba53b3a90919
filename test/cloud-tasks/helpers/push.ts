/**
 * Fixtures for push handler tests: jobs that count their calls, envelope bodies, Cloud Tasks
 * headers, and Requests whose body stream counts every read.
 */
import { z } from 'zod';
import { createEnvelope, encodeEnvelope } from '../../../src/envelope.ts';
import { PermanentError } from '../../../src/errors.ts';
import { defineJob } from '../../../src/job.ts';

export interface CountingJobs {
  readonly calls: Array<{ payload: unknown; attempt: number }>;
  readonly echo: ReturnType<typeof makeEcho>;
  readonly jobs: ReturnType<typeof makeEcho>[];
}

function makeEcho(calls: Array<{ payload: unknown; attempt: number }>, fail?: (attempt: number) => Error | undefined) {
  return defineJob({
    name: 'test.echo',
    schema: z.object({ n: z.number() }),
    maxAttempts: 5,
    backoff: { type: 'fixed', delayMs: 2_000 },
    handler(payload, ctx) {
      calls.push({ payload, attempt: ctx.attempt });
      const error = fail?.(ctx.attempt);
      if (error) throw error;
    },
  });
}

/** `test.echo` jobs that record each call; `fail(attempt)` may return an error to throw. */
export function countingJobs(fail?: (attempt: number) => Error | undefined): CountingJobs {
  const calls: Array<{ payload: unknown; attempt: number }> = [];
  const echo = makeEcho(calls, fail);
  return { calls, echo, jobs: [echo] };
}

export const permanent = () => new PermanentError('this can never work');

export function echoBody(n = 1, options: { notBefore?: number } = {}): string {
  return encodeEnvelope(createEnvelope('test.echo', { n }, { notBefore: options.notBefore }));
}

export function cloudTasksHeaders(retryCount = 0, taskName = 'task-0001'): Record<string, string> {
  return {
    'x-cloudtasks-queuename': 'jobs',
    'x-cloudtasks-taskname': taskName,
    'x-cloudtasks-taskretrycount': String(retryCount),
    'x-cloudtasks-taskexecutioncount': String(retryCount),
    'x-cloudtasks-tasketa': String(Date.now() / 1000),
    'content-type': 'application/json',
  };
}

export interface CountedRequest {
  readonly request: Request;
  /** Times the body stream was pulled. 0 proves the body was never read. */
  readonly pulls: () => number;
}

/** A POST whose body stream counts pulls (highWaterMark 0: nothing is pulled until read). */
export function countedRequest(url: string, body: string, headers: Record<string, string>, method = 'POST'): CountedRequest {
  const bytes = new TextEncoder().encode(body);
  let pulls = 0;
  let sent = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls++;
        if (sent) return controller.close();
        sent = true;
        controller.enqueue(bytes);
      },
    },
    { highWaterMark: 0 },
  );
  const request = new Request(url, { method, headers: { ...headers, 'content-length': String(bytes.byteLength) }, body: method === 'GET' ? null : stream, duplex: 'half' } as RequestInit);
  return { request, pulls: () => pulls };
}
