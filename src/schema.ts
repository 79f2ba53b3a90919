/**
 * Payload schemas are typed through Standard Schema, so zod 4 (the default), valibot and
 * arktype all fit. This module is the only place that talks to a schema.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';

export type { StandardSchemaV1 };
export type AnySchema = StandardSchemaV1<unknown, unknown>;
export type SchemaInput<S extends AnySchema> = StandardSchemaV1.InferInput<S>;
export type SchemaOutput<S extends AnySchema> = StandardSchemaV1.InferOutput<S>;

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: string };

export function isStandardSchema(value: unknown): value is AnySchema {
  const props = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null)?.['~standard'];
  return typeof props === 'object' && props !== null && props.version === 1 && typeof props.validate === 'function';
}

/**
 * Validate a value. Synchronous schemas stay synchronous (no promise per record on the
 * hot path); async schemas return a promise. A schema that throws is reported as an issue.
 */
export function validate<S extends AnySchema>(
  schema: S,
  value: unknown,
): Validation<SchemaOutput<S>> | Promise<Validation<SchemaOutput<S>>> {
  let result: StandardSchemaV1.Result<unknown> | Promise<StandardSchemaV1.Result<unknown>>;
  try {
    result = schema['~standard'].validate(value);
  } catch (error) {
    return { ok: false, issues: `(root): schema threw ${describeThrown(error)}` };
  }
  if (result instanceof Promise) {
    return result.then(
      (r) => toValidation<SchemaOutput<S>>(r),
      (error: unknown) => ({ ok: false as const, issues: `(root): schema threw ${describeThrown(error)}` }),
    );
  }
  return toValidation<SchemaOutput<S>>(result);
}

function toValidation<T>(result: StandardSchemaV1.Result<unknown>): Validation<T> {
  if (result.issues === undefined) return { ok: true, value: result.value as T };
  return { ok: false, issues: formatIssues(result.issues) };
}

/** Schema issues as one readable line: `path.to.field: message; other: message`. */
export function formatIssues(issues: ReadonlyArray<StandardSchemaV1.Issue>): string {
  const parts: string[] = [];
  for (const issue of issues.slice(0, 20)) {
    // One line: a custom message with line breaks must not split a log line or a detail.
    parts.push(`${formatPath(issue.path)}: ${String(issue.message).replace(/\s*[\r\n]+\s*/g, ' ')}`);
  }
  if (issues.length > 20) parts.push(`... ${issues.length - 20} more`);
  return parts.join('; ');
}

function formatPath(path: StandardSchemaV1.Issue['path']): string {
  if (!path || path.length === 0) return '(root)';
  let out = '';
  for (const segment of path) {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function describeThrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'a non-error value';
}
