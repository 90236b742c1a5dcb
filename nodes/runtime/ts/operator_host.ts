/**
 * What the runtime needs from a loaded operator, whatever its kind.
 *
 * @module
 */
import type { Event, SendOutput } from "../../api/ts/mod.ts";

/** A loaded operator (module imported or library opened, not yet created). */
export interface OperatorHost {
  /** Creates the operator instance (runs its constructor / `dora_init_operator`). */
  init(): void | Promise<void>;
  /** Handles one event; resolves to a `DoraStatus` value (undefined = continue). */
  onEvent(event: Event, send: SendOutput): unknown;
  /** Loads the file again and replaces the instance; throws and keeps the old one on failure. */
  reload?(): Promise<void>;
  /** Tears the instance down (`drop`, `dora_drop_operator`). */
  drop(): void | Promise<void>;
}

/** An operator that cannot be loaded or run; the message names it. */
export class OperatorLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OperatorLoadError";
  }
}
