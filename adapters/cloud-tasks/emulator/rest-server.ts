/**
 * The REST (HTTP/1.1 + JSON) surface: routes from the protos' HTTP annotations, proto3 JSON
 * in and out (as the client's `fallback: 'rest'` mode speaks it), the same API methods and
 * state as gRPC, and errors as `{ error: { code, message, status } }`.
 */
import { createRequire } from 'node:module';
import type http from 'node:http';
import type { ApiMethods } from './api-v2.ts';
import { CloudTasksApiError, Code, codeName, httpStatusOf } from './errors.ts';
import { json, type RestHandler } from './http-server.ts';
import { loaderOptions, type ProtoPaths } from './protos.ts';
import { loadRestRoutes, restLibraries, type RestRoute } from './rest-routes.ts';

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export function createRestHandler(paths: ProtoPaths, apis: { v2: ApiMethods; v2beta2: ApiMethods }, onError: (error: unknown) => void): RestHandler {
  const tasksEntry = createRequire(import.meta.url).resolve('@google-cloud/tasks');
  const libs = restLibraries(createRequire(tasksEntry).resolve('google-gax'));
  const routes = loadRestRoutes(paths, libs);
  const toObjectOptions = { longs: loaderOptions.longs, enums: loaderOptions.enums, defaults: false, oneofs: true };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = findRoute(routes, req.method ?? 'GET', url.pathname);
    if (!match) return false;
    const { route, values } = match;
    try {
      const input = fromQuery(url.searchParams);
      const bodyText = await readBody(req);
      if (route.body && bodyText) {
        const body = JSON.parse(bodyText) as unknown;
        if (route.body === '*') Object.assign(input, body);
        else setPath(input, route.body, body);
      }
      // Path variables last: `queue.name` of UpdateQueue lives in the path, the rest of the queue in the body.
      route.fields.forEach((field, i) => setPath(input, field, values[i]!));
      const message = libs.serializer.fromProto3JSON(route.requestType, input);
      const request = message ? (route.requestType.toObject(message, toObjectOptions) as Record<string, unknown>) : {};
      const result = apis[route.version][route.method]!(request);
      // `$alt=json;enum-encoding=int`: the client asks for enums as numbers.
      const numericEnums = /enum-encoding=int/.test(url.searchParams.get('$alt') ?? '');
      const out = libs.serializer.toProto3JSON(route.responseType.fromObject(result), { numericEnums });
      json(res, 200, out ?? {});
    } catch (error) {
      sendError(res, error, onError);
    }
    return true;
  };
}

function findRoute(routes: readonly RestRoute[], verb: string, path: string): { route: RestRoute; values: string[] } | undefined {
  for (const route of routes) {
    if (route.verb !== verb) continue;
    const m = route.pattern.exec(path);
    if (m) return { route, values: m.slice(1).map((v) => decodeURIComponent(v)) };
  }
  return undefined;
}

/** `a.b=1&c=x` -> `{ a: { b: '1' }, c: 'x' }` (repeated keys become arrays); `$`-options are dropped. */
function fromQuery(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    if (key.startsWith('$')) continue;
    const all = params.getAll(key);
    setPath(out, key, all.length > 1 ? all : all[0]!);
  }
  return out;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new CloudTasksApiError(Code.INVALID_ARGUMENT, `Request body over ${MAX_BODY_BYTES} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendError(res: http.ServerResponse, error: unknown, onError: (error: unknown) => void): void {
  let code: number = Code.INTERNAL;
  let message: string;
  if (error instanceof CloudTasksApiError) {
    code = error.code;
    message = error.message;
  } else if (error instanceof SyntaxError || (error instanceof Error && /proto3|JSON|Expected|invalid/i.test(error.message))) {
    code = Code.INVALID_ARGUMENT;
    message = `Invalid JSON payload received. ${error.message}`;
  } else {
    onError(error);
    message = `[cloud-tasks-emulator] internal error: ${error instanceof Error ? error.message : String(error)}`;
  }
  json(res, httpStatusOf(code), { error: { code: httpStatusOf(code), message, status: codeName[code] } });
}
