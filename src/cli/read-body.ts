/**
 * Request bodies of the local app's HTTP API, read with a bound: a body over the limit is not
 * buffered (the rest of it is drained unread).
 */
import type { IncomingMessage } from 'node:http';
import { exceedsBytes } from '../json-guard.ts';

/** The body as text, or undefined when it is larger than maxBytes (the rest is not read). */
export function readBounded(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve(exceedsBytes(text, maxBytes) ? undefined : text);
    });
    req.on('error', reject);
  });
}
