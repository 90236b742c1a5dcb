/**
 * `--ui` / `--foxglove` of `dora run` and `dora start`: the view server as a
 * child `dora ui` / `dora foxglove` process bound to the one dataflow
 * (`-d UUID --exit-with-dataflow`), so it costs the dataflow's process
 * nothing and ends with it. A server that cannot start (a port in use) is a
 * warning: the dataflow runs on.
 *
 * @module
 */
import { doraCommand } from "../../dora_command.ts";
import type { TargetFlags } from "../target.ts";

/** A view server started for one dataflow. */
export interface ViewChild {
  /** Stops it (SIGTERM) and waits until it exited. */
  stop(): Promise<void>;
}

/**
 * Starts `dora <kind> -d <uuid>`; `say` reports where it serves, or why it
 * could not start.
 */
export function startViewChild(
  kind: "ui" | "foxglove",
  uuid: string,
  flags: TargetFlags,
  port: string | undefined,
  say: (level: "info" | "warn", msg: string) => void,
): ViewChild {
  const { cmd, args } = doraCommand();
  const child = new Deno.Command(cmd, {
    args: [
      ...args,
      kind,
      "-d",
      uuid,
      "--exit-with-dataflow",
      ...(port !== undefined ? ["--port", port] : []),
      ...(flags.coordinatorAddr
        ? ["--coordinator-addr", flags.coordinatorAddr]
        : []),
      ...(flags.coordinatorPort
        ? ["--coordinator-port", flags.coordinatorPort]
        : []),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let announced = false;
  const read = async (stream: ReadableStream<Uint8Array>, isOut: boolean) => {
    let pending = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (isOut && !announced && /^(https?|wss?):\/\//.test(line)) {
          announced = true;
          say(
            "info",
            `${kind === "ui" ? "dashboard" : "Foxglove server"} at ${line}`,
          );
        } else if (!isOut) lines.push(line);
      }
    }
  };
  const drained = Promise.all([
    read(child.stdout, true),
    read(child.stderr, false),
  ]);
  const done = child.status.then(async (s) => {
    await drained;
    if (!announced || !s.success) {
      const why = lines.filter((l) => /^error:/.test(l)).join("; ");
      if (!announced) {
        say(
          "warn",
          `--${kind}: \`dora ${kind}\` did not start${why ? ` (${why})` : ""}`,
        );
      }
    }
    return s;
  });
  return {
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // exited already
      }
      await done;
    },
  };
}
