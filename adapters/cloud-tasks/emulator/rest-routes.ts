/**
 * The REST routes of the API, read from the `google.api.http` annotations of the protos (the
 * same ones the client's `fallback: 'rest'` mode builds its requests from).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as Protobuf from 'protobufjs';
import type { ProtoPaths } from './protos.ts';

export interface RestRoute {
  readonly version: 'v2' | 'v2beta2';
  readonly method: string;
  readonly verb: string;
  readonly pattern: RegExp;
  /** Request fields (dotted, camelCase) bound by the pattern's groups, in order. */
  readonly fields: readonly string[];
  /** `'*'`: the whole body is the request; a field name: the body is that field; '': no body. */
  readonly body: string;
  readonly requestType: Protobuf.Type;
  readonly responseType: Protobuf.Type;
}

export interface RestLibraries {
  readonly protobuf: typeof Protobuf;
  readonly serializer: {
    fromProto3JSON(type: Protobuf.Type, json: unknown): Protobuf.Message | null;
    toProto3JSON(message: Protobuf.Message, options?: { numericEnums?: boolean }): unknown;
  };
}

/** protobufjs and proto3-json-serializer as google-gax has them (the client's own libraries). */
export function restLibraries(gaxEntry: string): RestLibraries {
  const require = createRequire(gaxEntry);
  return { protobuf: require('protobufjs') as typeof Protobuf, serializer: require('proto3-json-serializer') as RestLibraries['serializer'] };
}

export function loadRestRoutes(paths: ProtoPaths, libs: RestLibraries): RestRoute[] {
  const root = new libs.protobuf.Root();
  root.resolvePath = (_origin, target) => {
    for (const dir of [paths.tasks, paths.gax]) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    return target;
  };
  root.loadSync(['google/cloud/tasks/v2/cloudtasks.proto', 'google/cloud/tasks/v2beta2/cloudtasks.proto']);
  root.resolveAll();
  const routes: RestRoute[] = [];
  for (const version of ['v2', 'v2beta2'] as const) {
    const service = root.lookupService(`google.cloud.tasks.${version}.CloudTasks`);
    for (const method of Object.values(service.methods)) {
      const rule = httpRule(method);
      if (!rule) continue;
      const { pattern, fields } = compileTemplate(rule.path);
      routes.push({
        version,
        method: method.name,
        verb: rule.verb,
        pattern,
        fields,
        body: rule.body,
        requestType: method.resolvedRequestType!,
        responseType: method.resolvedResponseType!,
      });
    }
  }
  return routes;
}

function httpRule(method: Protobuf.Method): { verb: string; path: string; body: string } | undefined {
  for (const option of method.parsedOptions ?? []) {
    const rule = (option as Record<string, Record<string, string> | undefined>)['(google.api.http)'];
    if (!rule) continue;
    for (const verb of ['get', 'post', 'put', 'patch', 'delete']) {
      if (rule[verb]) return { verb: verb.toUpperCase(), path: rule[verb]!, body: rule.body ?? '' };
    }
  }
  return undefined;
}

/** `/v2/{parent=projects/*\/locations/*}/queues` -> a regex with one group per variable. */
function compileTemplate(template: string): { pattern: RegExp; fields: string[] } {
  const fields: string[] = [];
  let source = '';
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf('{');
    if (open === -1) {
      source += escape(rest);
      break;
    }
    source += escape(rest.slice(0, open));
    const close = rest.indexOf('}', open);
    const [field, segments = '*'] = rest.slice(open + 1, close).split('=');
    fields.push(camel(field!));
    const inner = segments
      .split('/')
      .map((s) => (s === '**' ? '.+' : s === '*' ? '[^/]+' : escape(s)))
      .join('/');
    source += `(${inner})`;
    rest = rest.slice(close + 1);
  }
  return { pattern: new RegExp(`^${source}$`), fields };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function camel(path: string): string {
  return path.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
