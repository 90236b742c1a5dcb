/**
 * The daemon (`dora daemon`, one per machine): registers with a coordinator,
 * runs each dataflow through a runtime of `src/runtime`, exchanges cross-machine
 * messages over a {@link DataTransport}, and answers dynamic-node discovery.
 *
 * @module
 */
export { type AgentOptions, DaemonAgent } from "./daemon.ts";
export { launchWithRuntime, resultsOf } from "./runtime_host.ts";
export { discoverySocketPath, serveDiscovery } from "./dynamic.ts";
export { runBuild } from "./build.ts";
export {
  LOCAL_DAEMON_ID,
  type LocalEndpoint,
  serveLocalEndpoint,
} from "./local_endpoint.ts";
export type * from "./host.ts";
