/**
 * The support module of the end-to-end tests: start the real `dora`
 * (`dora.ts`), build temporary dataflows, run coordinators and daemons in a
 * sandbox (`cluster.ts`), read fault-tolerance reports (`fault.ts`), look
 * at shared memory (`shm.ts`) and emulate machines behind real SSH servers
 * (`ssh.ts`, with `tcp_relay.ts`). Tests import from here or from the file.
 *
 * @module
 */
export * from "./dora.ts";
export * from "./cluster.ts";
export * from "./fault.ts";
export * from "./shm.ts";
export * from "./scenarios.ts";
export * from "./ssh.ts";
export * from "./wait.ts";
export * from "./inspect.ts";
export * from "./tmux.ts";
