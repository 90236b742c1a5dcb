/**
 * `dora down` (alias `destroy`): stop every dataflow, every daemon and the
 * coordinator; returns once their processes are gone.
 *
 * @module
 */
import { Command } from "commander";
import { CliError } from "../errors.ts";
import { connectCoordinator } from "../coordinator_client.ts";
import {
  formatTarget,
  resolveTarget,
  type TargetFlags,
  withTargetOptions,
} from "../target.ts";
import { isAlive, readUpState, removeUpState, waitGone } from "../up_state.ts";

async function reap(pids: number[], force: boolean): Promise<void> {
  if (await waitGone(pids, force ? 2000 : 10_000)) return;
  for (const pid of pids.filter(isAlive)) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  await waitGone(pids, 5000);
}

/** Registers `dora down`. */
export function registerDown(program: Command): void {
  program.addCommand(
    withTargetOptions(
      new Command("down")
        .alias("destroy")
        .description("stop all dataflows, the daemons and the coordinator")
        .option("-f, --force", "kill nodes at once instead of the stop ladder"),
    ).action(async (opts: TargetFlags & { force?: boolean }) => {
      const target = resolveTarget(opts);
      const state = readUpState(target.port);
      let peer;
      try {
        peer = (await connectCoordinator(target, { timeoutMs: 2000 })).peer;
      } catch (err) {
        const pids = [state?.daemonPid, state?.coordinatorPid].filter(
          isAlive,
        ) as number[];
        const unreachable = err instanceof CliError &&
          err.name === "CoordinatorUnreachable";
        if (unreachable && !pids.length) {
          // Like `dora up` when already up: nothing to do is not an error.
          console.log(
            `dora is not up (no coordinator at ${formatTarget(target)})`,
          );
          return;
        }
        if (!unreachable) throw err;
        // The coordinator is gone but `dora up` processes remain: reap them.
        for (const pid of pids) Deno.kill(pid, "SIGTERM");
        await reap(pids, Boolean(opts.force));
        removeUpState(target.port);
        console.log(
          `coordinator was not answering; stopped ${pids.length} leftover process(es)`,
        );
        return;
      }
      const { pids } = await peer.call<{ pids: number[] }>("destroy", {
        force: Boolean(opts.force),
      }).catch((err) => {
        throw new CliError(`dora down failed: ${err.message}`);
      });
      await peer.closed;
      // Pids from the coordinator are only meaningful when it runs here.
      const local = /^(127\.|::1$|localhost$)/.test(target.addr);
      const all = [
        ...new Set([
          ...(local ? pids : []),
          state?.daemonPid,
          state?.coordinatorPid,
        ]),
      ]
        .filter((p): p is number => typeof p === "number");
      await reap(all, Boolean(opts.force));
      removeUpState(target.port);
      console.log("dora is down");
    }),
  );
}
