/**
 * The daemon role (`dora daemon`): registers with a coordinator, runs
 * dataflows through the runtime of `src/daemon`, exchanges cross-machine
 * messages over a {@link DataTransport}, and answers dynamic-node discovery.
 *
 * @module
 */
export { type AgentOptions, DaemonAgent } from "./agent.ts";
export { launchWithRuntime, resultsOf } from "./runtime_host.ts";
export { discoverySocketPath, serveDiscovery } from "./dynamic.ts";
export { runBuild } from "./build.ts";
export type * from "./host.ts";
