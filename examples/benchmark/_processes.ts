/**
 * What the cluster benchmarks share: a free loopback port, and `dora`
 * commands started in the background (coordinator, daemons).
 *
 * @module
 */
import { doraCommand } from "../../src/dora_command.ts";

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Starts `dora <args>` and resolves once its stderr matches `ready`. */
export async function background(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<Deno.ChildProcess> {
  const { cmd, args: lead } = doraCommand();
  const child = new Deno.Command(cmd, {
    args: [...lead, ...args],
    env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  while (!ready.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`dora ${args[0]} exited:\n${text}`);
    text += value;
  }
  // Keep draining so the process never blocks on a full pipe.
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
  return child;
}
