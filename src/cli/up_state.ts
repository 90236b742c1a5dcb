/**
 * What `dora up` started, so `dora down` can reap it even when the
 * coordinator does not answer: `<DORA_STATE_DIR>/up-<port>.json`.
 *
 * @module
 */
import { doraStateDir } from "../state_dir.ts";

/** Processes started by `dora up`. */
export interface UpState {
  addr: string;
  port: number;
  coordinatorPid?: number;
  daemonPid?: number;
  logDir: string;
}

function path(port: number): string {
  return `${doraStateDir()}/up-${port}.json`;
}

/** Reads the state of `dora up` on `port`, if any. */
export function readUpState(port: number): UpState | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(path(port))) as UpState;
  } catch {
    return undefined;
  }
}

/** Writes (merges) the state of `dora up` on `port`. */
export function writeUpState(state: UpState): void {
  Deno.mkdirSync(doraStateDir(), { recursive: true });
  const old = readUpState(state.port);
  Deno.writeTextFileSync(
    path(state.port),
    JSON.stringify({ ...old, ...state }, null, 2) + "\n",
  );
}

/** Forgets the state of `dora up` on `port`. */
export function removeUpState(port: number): void {
  try {
    Deno.removeSync(path(port));
  } catch {
    // already gone
  }
}

/** Whether process `pid` exists. */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    Deno.kill(pid, "SIGCONT");
    // A zombie still accepts signals; check its state.
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Waits until every pid is gone (polling /proc), up to `timeoutMs`. */
export async function waitGone(
  pids: number[],
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
