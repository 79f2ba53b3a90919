/** Capabilities both SQS queue types share in the contract suite. */
export const commonCapabilities = {
  touch: true,
  kick: true,
  listBuried: true,
  stats: 'approximate',
  priority: { unsupported: 'SQS has no message priority' },
  controllableClock: false,
  minLeaseMs: 1_000,
} as const;
