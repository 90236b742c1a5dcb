/**
 * Errors of the cluster layer, by meaning: a bad cluster file, and a machine
 * that could not be reached, set up or started.
 *
 * @module
 */
import type { Diagnostic } from "../descriptor/mod.ts";
import { formatDiagnostic } from "../descriptor/mod.ts";

/** The cluster file has problems; `diagnostics` lists every one. */
export class ClusterFileError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === "error");
    super(
      errors.length === 1
        ? formatDiagnostic(errors[0]!)
        : `invalid cluster file: ${errors.length} errors`,
    );
    this.name = "ClusterFileError";
    this.diagnostics = diagnostics;
  }
}

/**
 * Something failed on one machine (SSH, shipping, starting its daemon).
 * `logTail` holds the last lines of the daemon's log when there is one.
 */
export class MachineError extends Error {
  readonly machineId: string;
  readonly logTail: string[];
  constructor(
    machineId: string,
    message: string,
    options: ErrorOptions & { logTail?: string[] } = {},
  ) {
    super(message, options);
    this.name = "MachineError";
    this.machineId = machineId;
    this.logTail = options.logTail ?? [];
  }
}

/** An artifact cannot be built; the message says why. */
export class ArtifactError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ArtifactError";
  }
}
