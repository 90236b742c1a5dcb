/**
 * `dora build <PATH>`: clone `git:` sources and run `build:` commands, on the
 * daemons the nodes are deployed to when a coordinator is up, locally
 * otherwise (or with `--local`).
 *
 * @module
 */
import { Command } from "commander";
import { CliError } from "../errors.ts";
import { requireBuildConsent } from "../_build_consent.ts";
import { asCliError, connectCoordinator } from "../coordinator_client.ts";
import { loadForCli } from "../load_descriptor.ts";
import {
  resolveTarget,
  type TargetFlags,
  withTargetOptions,
} from "../target.ts";
import { runBuild } from "../../daemon/build.ts";
import type { NodeResult } from "../../store/types.ts";

function report(results: Record<string, NodeResult>): void {
  const entries = Object.entries(results);
  if (entries.length === 0) {
    console.error("nothing to build (no node has build:, git: or a URL path)");
    return;
  }
  const failed = entries.filter(([, r]) => !r.ok);
  for (const [node, r] of failed) {
    console.error(`error: build of ${node} failed: ${r.error}`);
  }
  if (failed.length) {
    throw new CliError(
      `${failed.length} of ${entries.length} node build(s) failed`,
    );
  }
  console.error(`built ${entries.length} node(s)`);
}

/** Registers `dora build`. */
export function registerBuild(program: Command): void {
  program.addCommand(
    withTargetOptions(
      new Command("build")
        .description(
          "run the build steps (git: and build:) of a dataflow's nodes",
        )
        .argument("<PATH>", "dataflow descriptor (YAML)")
        .option("--local", "build here even if a coordinator is running")
        .option(
          "--strict-types",
          "type problems are errors (like strict_types: true in the file)",
        )
        .option(
          "--allow-shell-nodes",
          "run the build: commands without asking (env DORA_ALLOW_SHELL_NODES)",
        )
        .option(
          "--uv",
          "run pip lines with `uv pip` in the dataflow's uv environment (uv is installed from PyPI when missing)",
        ),
    ).action(async (
      path: string,
      opts: TargetFlags & {
        local?: boolean;
        strictTypes?: boolean;
        uv?: boolean;
        allowShellNodes?: boolean;
      },
    ) => {
      const dataflow = await loadForCli(path, {
        strictTypes: opts.strictTypes,
      });
      // Here, on the user's terminal, wherever the commands will run.
      await requireBuildConsent(dataflow, opts.allowShellNodes);
      const printLine = (node: string, line: string) =>
        console.log(`${node}: ${line}`);
      if (!opts.local) {
        let peer;
        try {
          peer =
            (await connectCoordinator(resolveTarget(opts), { timeoutMs: 1500 }))
              .peer;
        } catch (err) {
          if (
            !(err instanceof CliError && err.name === "CoordinatorUnreachable")
          ) throw err;
        }
        if (peer) {
          peer.setHandlers({
            onEvent: (e, p) => {
              if (e !== "build_log") return;
              const { node, line } = p as { node: string; line: string };
              printLine(node, line);
            },
          });
          try {
            const { results } = await peer.call<
              { results: Record<string, NodeResult> }
            >(
              "build",
              { descriptor: dataflow, uv: Boolean(opts.uv) },
            );
            report(results);
            return;
          } catch (err) {
            throw asCliError(err, resolveTarget(opts));
          } finally {
            peer.close(1000, "done");
          }
        }
      }
      report(
        await runBuild(dataflow, undefined, printLine, { uv: opts.uv }),
      );
    }),
  );
}
