/**
 * `dora up`: start a coordinator and a daemon in the background, return once
 * both are ready. Idempotent.
 *
 * @module
 */
import { storeOption } from "../_options.ts";
import { Command, Option } from "commander";
import { CliError } from "../errors.ts";
import { doraCommand } from "../../dora_command.ts";
import { doraStateDir } from "../../state_dir.ts";
import { connectCoordinator } from "../coordinator_client.ts";
import { errorMessage } from "../../errors.ts";
import type { Peer } from "../../control/peer.ts";
import {
  formatTarget,
  resolveTarget,
  type TargetFlags,
  withTargetOptions,
} from "../target.ts";
import { isAlive, readUpState, writeUpState } from "../up_state.ts";

/** Starts `dora <args>` detached, output appended to `logFile`. */
function spawnDetached(args: string[], logFile: string): Deno.ChildProcess {
  const { cmd, args: lead } = doraCommand();
  const child = new Deno.Command("/bin/sh", {
    args: [
      "-c",
      'exec "$@" >>"$DORA_UP_LOG" 2>&1',
      "sh",
      cmd,
      ...lead,
      ...args,
    ],
    env: { DORA_UP_LOG: logFile },
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  return child;
}

/** Whether `pid` is a live `dora daemon` process (not a recycled pid). */
function isDoraDaemon(pid: number | undefined): boolean {
  if (!isAlive(pid)) return false;
  try {
    const argv = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    return argv.includes("daemon");
  } catch {
    return false;
  }
}

function tail(file: string): string[] {
  try {
    return Deno.readTextFileSync(file).trimEnd().split("\n").slice(-5);
  } catch {
    return [];
  }
}

async function tryConnect(
  target: { addr: string; port: number },
): Promise<Peer | undefined> {
  try {
    return (await connectCoordinator(target, { timeoutMs: 1000 })).peer;
  } catch (err) {
    if (err instanceof CliError && err.name === "CoordinatorUnreachable") {
      return undefined;
    }
    throw err;
  }
}

/** Registers `dora up`. */
export function registerUp(program: Command): void {
  program.addCommand(
    withTargetOptions(
      new Command("up")
        .description("start a coordinator and a daemon in the background")
        .option(
          "--store <STORE>",
          "coordinator store: memory | sqlite[:PATH]",
          "memory",
        )
        // Tokens are always required now; the flag stays for old scripts.
        .addOption(new Option("--auth").hideHelp())
        .option(
          "--allow-shell-nodes",
          "let the daemon run `path: shell` nodes",
        )
        .option(
          "--zenoh",
          "the daemon starts a local zenoh bridge and uses the zenoh transport (see `dora daemon --zenoh`)",
        )
        .option(
          "--zenoh-endpoint <ENDPOINT>",
          "the daemon's zenoh bridge WebSocket, ws/HOST:PORT (zenoh transport, open data, zenoh nodes)",
        )
        .option(
          "--zenoh-listen <ENDPOINTS>",
          "with --zenoh: where the bridge accepts other bridges",
        )
        .option(
          "--zenoh-connect <ENDPOINTS>",
          "with --zenoh: other machines' bridges to link to",
        ),
    ).action(async (
      opts: TargetFlags & {
        store: string;
        auth?: boolean;
        allowShellNodes?: boolean;
        zenoh?: boolean;
        zenohEndpoint?: string;
        zenohListen?: string;
        zenohConnect?: string;
      },
    ) => {
      const target = resolveTarget(opts);
      storeOption(opts.store);
      const logDir = `${doraStateDir()}/logs`;
      Deno.mkdirSync(logDir, { recursive: true });
      let peer = await tryConnect(target);
      let coordinatorPid: number | undefined;
      const coordLog = `${logDir}/coordinator-${target.port}.log`;
      if (!peer) {
        const child = spawnDetached([
          "coordinator",
          "--interface",
          target.addr,
          "--port",
          String(target.port),
          "--store",
          opts.store,
        ], coordLog);
        coordinatorPid = child.pid;
        const deadline = Date.now() + 20_000;
        while (!peer) {
          if (!isAlive(child.pid)) {
            throw new CliError(
              `the coordinator exited during start-up (log: ${coordLog})`,
              {
                details: tail(coordLog),
              },
            );
          }
          if (Date.now() > deadline) {
            throw new CliError(
              `the coordinator did not answer on ${
                formatTarget(target)
              } within 20s (log: ${coordLog})`,
            );
          }
          await new Promise((r) => setTimeout(r, 100));
          try {
            peer = await tryConnect(target);
          } catch (err) {
            // The coordinator listens before it wrote its token file: an
            // auth refusal while it starts means "not yet". Past the
            // deadline, it is stopped rather than left behind.
            if (
              !/auth token/.test(errorMessage(err)) || Date.now() > deadline
            ) {
              try {
                Deno.kill(child.pid, "SIGTERM");
              } catch {
                // gone already
              }
              throw err;
            }
          }
        }
      }
      try {
        const status = await peer.call<
          { daemons: { state: string }[]; pid: number }
        >("status");
        const startedNow = coordinatorPid !== undefined;
        coordinatorPid ??= status.pid;
        // A daemon from an earlier `dora up` that outlived its coordinator
        // reconnects by itself: wait for it instead of starting a second one
        // (it may have reconnected already, before the status above).
        const previous = readUpState(target.port)?.daemonPid;
        const survivor = isDoraDaemon(previous) ? previous : undefined;
        const connected = status.daemons.some((d) => d.state === "connected");
        if (connected || survivor !== undefined) {
          if (!connected) {
            await peer.call("wait_daemons", { count: 1, timeoutMs: 20_000 });
          }
          writeUpState({
            addr: target.addr,
            port: target.port,
            coordinatorPid,
            logDir,
          });
          console.log(
            !startedNow
              ? `dora is already up (coordinator at ${formatTarget(target)})`
              : `dora is up: coordinator on ${
                formatTarget(target)
              } (pid ${coordinatorPid}), ${
                survivor !== undefined ? `daemon (pid ${survivor})` : "a daemon"
              } reconnected; logs in ${logDir}`,
          );
          return;
        }
        const daemonLog = `${logDir}/daemon-${target.port}.log`;
        const daemon = spawnDetached([
          "daemon",
          "--coordinator-addr",
          target.addr,
          "--coordinator-port",
          String(target.port),
          ...(opts.allowShellNodes ? ["--allow-shell-nodes"] : []),
          ...(opts.zenoh ? ["--zenoh"] : []),
          ...(opts.zenohEndpoint
            ? ["--zenoh-endpoint", opts.zenohEndpoint]
            : []),
          ...(opts.zenohListen ? ["--zenoh-listen", opts.zenohListen] : []),
          ...(opts.zenohConnect ? ["--zenoh-connect", opts.zenohConnect] : []),
        ], daemonLog);
        writeUpState({
          addr: target.addr,
          port: target.port,
          coordinatorPid,
          daemonPid: daemon.pid,
          logDir,
        });
        const waited = peer.call("wait_daemons", {
          count: 1,
          timeoutMs: 20_000,
        });
        const died = (async () => {
          while (isAlive(daemon.pid)) {
            await new Promise((r) => setTimeout(r, 100));
          }
          throw new CliError(
            `the daemon exited during start-up (log: ${daemonLog})`,
            {
              details: tail(daemonLog),
            },
          );
        })();
        await Promise.race([waited, died]);
        console.log(
          `dora is up: coordinator on ${
            formatTarget(target)
          } (pid ${coordinatorPid}), daemon (pid ${daemon.pid}); logs in ${logDir}`,
        );
      } finally {
        peer.close(1000, "done");
      }
    }),
  );
}
