/**
 * Outcome -> transport action, for jobs that were pulled with reserve(). Shared by the pull
 * worker and the in-memory dispatcher; push wrappers (Lambda, Cloud Tasks HTTP) translate
 * outcomes into their platform's answer instead.
 */
import type { Outcome } from './outcome.ts';
import type { PullService, ReservedJob } from './service.ts';

export async function applyOutcome(service: PullService, job: ReservedJob, outcome: Outcome): Promise<void> {
  switch (outcome.type) {
    case 'completed':
      return service.complete(job);
    case 'retry':
      return service.release(job, Math.min(outcome.delayMs, service.limits.maxDelayMs));
    case 'buried':
      return service.bury(job, { reason: outcome.reason, detail: outcome.detail, attempt: job.attempt });
    case 'deferred': {
      // A hop: the same body again, as late as the transport allows, then this copy goes.
      const [sent] = await service.enqueue([
        {
          id: outcome.envelope.id,
          name: outcome.envelope.name,
          body: typeof job.body === 'string' ? job.body : new TextDecoder().decode(job.body),
          delayMs: Math.min(outcome.delayMs, service.limits.maxDelayMs),
          groupKey: outcome.envelope.groupKey,
        },
      ]);
      if (sent === undefined || !sent.ok) throw sent?.error ?? new Error('re-enqueue of a deferred job returned no result');
      return service.complete(job);
    }
  }
}
