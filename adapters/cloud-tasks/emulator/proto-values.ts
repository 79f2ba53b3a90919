/** Converting well-known proto values (Timestamp, Duration, FieldMask) to ms and back. */
import { invalid } from './errors.ts';

export interface ProtoTimestamp {
  seconds?: number | string | null;
  nanos?: number | null;
}
export type ProtoDuration = ProtoTimestamp;

/** Epoch ms of a Timestamp (sub-ms precision is dropped); undefined when not set. */
export function timestampMs(value: ProtoTimestamp | null | undefined): number | undefined {
  if (value == null) return undefined;
  return Number(value.seconds ?? 0) * 1000 + Math.floor(Number(value.nanos ?? 0) / 1e6);
}

export function toTimestamp(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

export function durationMs(value: ProtoDuration | null | undefined): number | undefined {
  return timestampMs(value);
}

export const toDuration = toTimestamp;

/** A proto3 number where 0 means "not set". */
export function setNumber(value: number | null | undefined): number | undefined {
  return value == null || value === 0 ? undefined : Number(value);
}

/** Update-mask paths in snake_case (the client may send camelCase). */
export function maskPaths(mask: { paths?: string[] | null } | null | undefined): string[] {
  return (mask?.paths ?? []).flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean).map(snake);
}

function snake(path: string): string {
  return path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function unknownMaskPath(path: string): never {
  throw invalid(`The update_mask path "${path}" is not a field of Queue that can be updated.`);
}
