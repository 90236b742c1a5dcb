/**
 * The messages between the dashboard page and `dora ui` over its
 * WebSocket (`/ws`), JSON text frames with a `t` field. The page
 * (`assets/app.js`) reads them; the server never sends more than a few per
 * second per panel.
 *
 * @module
 */
import type { LogRecord } from "../../logs/mod.ts";
import type { ViewedDataflow } from "../access.ts";
import type { Snapshot } from "../watch.ts";

/** One message in the topic panel. */
export interface UiTopicMessage {
  ts: string;
  type: string;
  len: number;
  size: number;
  text: string;
  complete: boolean;
}

/** A point of the live plot: time (ms since the epoch) and a value per series. */
export interface UiPlotPoint {
  t: number;
  v: Record<string, number>;
}

/** Server → page. */
export type UiServerMessage =
  | {
    t: "hello";
    version: string;
    dataflows: ViewedDataflow[];
    /** The dataflow to show first, if one is obvious. */
    select?: string;
    limits: { logBatch: number; topicMaxBytes: number; pollMs: number };
  }
  | { t: "dataflows"; dataflows: ViewedDataflow[] }
  | { t: "snapshot"; s: Snapshot }
  | { t: "logs"; records: LogRecord[]; skipped: number; reset?: boolean }
  | {
    t: "topic";
    topic: string;
    messages: UiTopicMessage[];
    points: UiPlotPoint[];
    /** Copies lost before they reached this page (dataflow side or this page's queue). */
    lost: number;
  }
  | { t: "ended"; uuid: string; reason: string }
  | { t: "note"; text: string }
  | { t: "error"; text: string };

/** Page → server. */
export type UiClientMessage =
  | { t: "watch"; uuid: string }
  | { t: "topic"; topic: string | null };

/** Log records sent per batch (4 batches a second at most). */
export const LOG_BATCH = 200;
/** How often batched panels (logs, topic) are flushed to a page. */
export const FLUSH_MS = 250;
/** Payload bytes the topic panel copies per message. */
export const TOPIC_MAX_BYTES = 64 * 1024;
/** Messages of the chosen topic shown as text per flush. */
export const TOPIC_TEXT_MESSAGES = 20;
/** Messages kept between two flushes for the plot (more are sampled). */
export const TOPIC_RING = 256;
