/** The REST surface (placeholder until the HTTP mapping lands). */
import type { RestHandler } from './http-server.ts';
import type { ApiMethods } from './api-v2.ts';
import type { ProtoPaths } from './protos.ts';

export function createRestHandler(
  _paths: ProtoPaths,
  _apis: { v2: ApiMethods; v2beta2: ApiMethods },
  _onError: (error: unknown) => void,
): RestHandler | undefined {
  return undefined;
}
