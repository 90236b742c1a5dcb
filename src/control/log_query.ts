/**
 * A `dora logs` query in JSON form, so daemons can filter (time, level, grep,
 * tail) before sending lines through the coordinator.
 *
 * @module
 */
import type { LogLevel, LogQuery } from "../logs/mod.ts";

/** The JSON form of a {@link LogQuery} (`filter` as entries). */
export interface WireQuery {
  level?: LogLevel;
  filter?: [string, LogLevel][];
  since?: number;
  until?: number;
  grep?: string;
  tail?: number;
}

/** Converts a query for the wire. */
export function toWireQuery(q: LogQuery): WireQuery {
  return { ...q, filter: q.filter ? [...q.filter.entries()] : undefined };
}

/** Converts a wire query back. */
export function fromWireQuery(raw: unknown): LogQuery {
  const q = raw as WireQuery;
  return { ...q, filter: q.filter ? new Map(q.filter) : undefined };
}
