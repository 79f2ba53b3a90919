/**
 * Random secrets at random paths of payloads, for the redaction property tests.
 *
 * A payload is a random tree of ordinary fields (decoys) with secrets under keys that are
 * either listed in the job's secretFields (in any case and separator spelling) or named like
 * secrets (password, apiToken, Authorization, ...), some inside a `headers` object. The
 * generator also returns every secret string it placed: the oracle is this list, never
 * jobferry's own isSecretKey.
 */
import fc from 'fast-check';

/** The job's secretFields. */
export const SECRET_FIELDS = ['pin', 'iban', 'customerEmail', 'cardHolder', 'ssn'] as const;

/** Spellings of the listed fields that must match them: case and `-`, `_`, `.`, space variants. */
const LISTED_SPELLINGS = ['pin', 'PIN', 'Pin', 'iban', 'IBAN', 'customerEmail', 'customer_email', 'Customer-Email', 'CUSTOMEREMAIL', 'cardHolder', 'card_holder', 'card.holder', 'card holder', 'ssn', 'SSN'];

/** Keys named like secrets (the built-in list covers them by substring). */
const SECRET_NAMES = [
  'password', 'Password', 'userPassword', 'passwd', 'secret', 'clientSecret', 'client_secret', 'apiToken', 'access_token', 'refreshToken', 'token',
  'Authorization', 'authorization', 'AUTHORIZATION', 'Proxy-Authorization', 'apiKey', 'api_key', 'X-Api-Key', 'cookie', 'Set-Cookie', 'cardNumber',
  'card_number', 'creditCard', 'cvv', 'CVC', 'privateKey', 'private_key', 'sessionId', 'credentials', 'signature',
];

/** Ordinary field names (none contains a secret-like part). */
const DECOY_NAMES = ['orderId', 'amount', 'note', 'items', 'meta', 'to', 'subject', 'name', 'city', 'tags', 'count', 'Id', 'id', 'status', 'when'];

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const chars = (alphabet: string, min: number, max: number) => fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => a.join(''));

/** Secrets in every shape the issue names; long and random enough never to appear by chance. */
export const secretValue: fc.Arbitrary<string> = fc.oneof(
  chars(ALNUM, 24, 32).map((s) => `tok_live_${s}`),
  chars(`${ALNUM}-_`, 40, 60).map((s) => `Bearer ey${s}`),
  // Passwords with symbols, quotes and backslashes included: leaks are looked for escaped too.
  chars(`${ALNUM}!#$%&*+-=?@^_~"\\/<>`, 14, 24).map((s) => `pw${s}`),
  fc.tuple(chars('abcdefghijklmnopqrstuvwxyz0123456789', 10, 16), chars('abcdefghijklmnopqrstuvwxyz', 5, 10)).map(([local, domain]) => `${local}@${domain}.example.com`),
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 16, maxLength: 16 }).chain((digits) =>
    fc.constantFrom(' ', '-', '').map((sep) => [0, 4, 8, 12].map((i) => digits.slice(i, i + 4).join('')).join(sep)),
  ),
);

const decoyValue = fc.oneof(chars(ALNUM, 1, 10), fc.integer(), fc.boolean(), fc.constant(null));

interface Built {
  readonly value: unknown;
  readonly secrets: readonly string[];
}

/** A secret entry's value: a string, or a small object/array of them (the whole subtree is secret). */
const secretSubtree: fc.Arbitrary<Built> = fc.oneof(
  { weight: 4, arbitrary: secretValue.map((s) => ({ value: s, secrets: [s] })) },
  { weight: 1, arbitrary: fc.array(secretValue, { minLength: 1, maxLength: 3 }).map((list) => ({ value: list, secrets: list })) },
  { weight: 1, arbitrary: fc.tuple(secretValue, secretValue).map(([a, b]) => ({ value: { value: a, backup: b }, secrets: [a, b] })) },
);

const secretEntry: fc.Arbitrary<[string, Built]> = fc.tuple(fc.constantFrom(...LISTED_SPELLINGS, ...SECRET_NAMES), secretSubtree);
/** `headers: { Authorization: 'Bearer ...' }`, as a payload that carries an HTTP request would. */
const headersEntry: fc.Arbitrary<[string, Built]> = fc
  .tuple(fc.constantFrom('Authorization', 'authorization', 'AUTHORIZATION'), secretValue, chars(ALNUM, 4, 8))
  .map(([name, token, agent]) => ['headers', { value: { [name]: token.startsWith('Bearer ') ? token : `Bearer ${token}`, 'user-agent': agent }, secrets: [token.startsWith('Bearer ') ? token : `Bearer ${token}`] }]);

const node: fc.Arbitrary<Built> = fc.letrec<{ node: Built; object: Built; array: Built }>((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, decoyValue.map((value) => ({ value, secrets: [] })), tie('object'), tie('array')),
  object: fc
    .array(fc.oneof({ weight: 3, arbitrary: fc.tuple(fc.constantFrom(...DECOY_NAMES), tie('node')) }, { weight: 2, arbitrary: secretEntry }, { weight: 1, arbitrary: headersEntry }), { maxLength: 5 })
    .map((entries) => {
      const value: Record<string, unknown> = {};
      const secrets: string[] = [];
      for (const [key, built] of entries) {
        // A later entry under the same key replaces an earlier one: keep only what stays.
        if (Object.hasOwn(value, key)) continue;
        Object.defineProperty(value, key, { value: built.value, enumerable: true, writable: true, configurable: true });
        secrets.push(...built.secrets);
      }
      return { value, secrets };
    }),
  array: fc.array(tie('node'), { maxLength: 3 }).map((items) => ({ value: items.map((i) => i.value), secrets: items.flatMap((i) => i.secrets) })),
})).object;

/** A payload `{ ...fields, mode }` with secrets at random depths, and the secrets it holds (at least one). */
export function payloadWithSecrets<M extends string>(modes: readonly M[]): fc.Arbitrary<{ payload: Record<string, unknown>; secrets: string[]; mode: M }> {
  return fc.tuple(node, secretEntry, fc.constantFrom(...modes)).map(([tree, [key, extra], mode]) => {
    const payload: Record<string, unknown> = { kind: 'ok', mode, data: tree.value };
    Object.defineProperty(payload, key, { value: extra.value, enumerable: true, writable: true, configurable: true });
    return { payload, secrets: [...tree.secrets, ...extra.secrets], mode };
  });
}

/** The secrets found in `text`, as written or JSON-escaped (a log line escapes quotes and backslashes). */
export function leaked(text: string, secrets: readonly string[]): string[] {
  return secrets.filter((s) => text.includes(s) || text.includes(JSON.stringify(s).slice(1, -1)));
}

/** How many of `cases` had at least one of their own secrets in `leakedSecrets`. */
export function casesLeaking(cases: ReadonlyArray<{ secrets: readonly string[] }>, leakedSecrets: readonly string[]): number {
  const found = new Set(leakedSecrets);
  return cases.filter((c) => c.secrets.some((s) => found.has(s))).length;
}
