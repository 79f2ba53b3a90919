/**
 * Which dead-letter queue a bury uses: the configured one, or the target of the source queue's
 * redrive policy, looked up once (a failed lookup is tried again next time).
 */
import type { ClientHandle } from './sdk.ts';
import { sqsError, toTransportError } from './errors.ts';
import { redriveTarget, type QueueAddress } from './queue-url.ts';

export interface DeadLetterLookup {
  /** The dead-letter queue, or a TransportError saying why there is none. */
  get(what: string): Promise<QueueAddress>;
  /** ARN of a queue (for StartMessageMoveTask), memoized. */
  arnOf(queue: QueueAddress): Promise<string>;
}

export function deadLetterLookup(source: QueueAddress, configured: QueueAddress | undefined, handle: ClientHandle): DeadLetterLookup {
  let found: Promise<QueueAddress> | undefined = configured ? Promise.resolve(configured) : undefined;
  const arns = new Map<string, Promise<string>>();

  const discover = async (what: string): Promise<QueueAddress> => {
    const { sdk, client } = await handle.get();
    let policy: string | undefined;
    try {
      const out = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: source.url, AttributeNames: ['RedrivePolicy'] }));
      policy = out.Attributes?.RedrivePolicy;
    } catch (error) {
      throw toTransportError(error, `${what} (reading the redrive policy of ${source.name})`, source.name);
    }
    const target = redriveTarget(source, policy);
    if (typeof target === 'string') throw sqsError(what, `no dead-letter queue: ${target}; set deadLetterQueueUrl, or give ${source.name} a redrive policy`, 'NoDeadLetterQueue', source.name);
    return target;
  };

  return {
    get(what) {
      found ??= discover(what).catch((error: unknown) => {
        found = undefined;
        throw error;
      });
      return found;
    },
    arnOf(queue) {
      let arn = arns.get(queue.url);
      if (arn === undefined) {
        arn = (async () => {
          const { sdk, client } = await handle.get();
          const out = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['QueueArn'] }));
          const value = out.Attributes?.QueueArn;
          if (value === undefined) throw sqsError('kick', `GetQueueAttributes gave no QueueArn for ${queue.name}`, 'MissingResult', source.name);
          return value;
        })().catch((error: unknown) => {
          arns.delete(queue.url);
          throw toTransportError(error, `kick (reading the ARN of ${queue.name})`, source.name);
        });
        arns.set(queue.url, arn);
      }
      return arn;
    },
  };
}
