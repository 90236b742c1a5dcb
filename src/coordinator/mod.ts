/**
 * The dora coordinator: keeps dataflows and daemons, places nodes on
 * daemons, and serves the control plane (see `docs/coordinator.md`).
 *
 * @example
 * ```ts
 * const c = await startCoordinator({ interface: "127.0.0.1", port: 0, store: "memory" });
 * console.log(c.port);
 * await c.shutdown();
 * ```
 *
 * @module
 */
import { openStore } from "../store/mod.ts";
import { Coordinator } from "./coordinator.ts";
import { serveCoordinator } from "./server.ts";
export { Coordinator } from "./coordinator.ts";
export { placeNodes } from "./placement.ts";

/** Options for {@link startCoordinator}. */
export interface StartCoordinatorOptions {
  interface: string;
  port: number;
  /** `memory`, `sqlite` or `sqlite:PATH`. */
  store: string;
  /** Required bearer token; undefined = no auth. */
  token?: string;
  heartbeatMs?: number;
  daemonTimeoutMs?: number;
  log?: (message: string) => void;
}

/** A running coordinator. */
export interface RunningCoordinator {
  coordinator: Coordinator;
  port: number;
  /** Resolves once the coordinator has shut down (after `dora down`). */
  finished: Promise<void>;
  shutdown(): Promise<void>;
}

/** Opens the store and serves the control plane. */
export function startCoordinator(
  opts: StartCoordinatorOptions,
): RunningCoordinator {
  const store = openStore(opts.store);
  const coordinator = new Coordinator({
    interface: opts.interface,
    port: opts.port,
    store,
    heartbeatMs: opts.heartbeatMs ?? 3000,
    daemonTimeoutMs: opts.daemonTimeoutMs ?? 15_000,
    log: opts.log ?? (() => {}),
  });
  let server;
  try {
    server = serveCoordinator(coordinator, {
      hostname: opts.interface,
      port: opts.port,
      token: opts.token,
    });
  } catch (err) {
    coordinator.close();
    throw err;
  }
  coordinator.config.port = server.port;
  const done = Promise.withResolvers<void>();
  let closing: Promise<void> | undefined;
  const shutdown = () => {
    closing ??= server.shutdown().then(() => {
      coordinator.close();
      done.resolve();
    });
    return closing;
  };
  coordinator.onShutdown = () => void shutdown();
  return { coordinator, port: server.port, finished: done.promise, shutdown };
}
