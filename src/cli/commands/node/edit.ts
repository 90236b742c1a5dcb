/**
 * `dora node add / remove / replace / connect / disconnect`: change the
 * graph of a running dataflow. Each change is checked like `dora validate`
 * before anything changes, and applied on every daemon or on none (see
 * `docs/dynamic.md`).
 *
 * @module
 */
import { Command } from "commander";
import type { QueuePolicy } from "../../../descriptor/model.ts";
import { QUEUE_POLICIES } from "../../../descriptor/schema.ts";
import { durationOption } from "../../_options.ts";
import { UsageError } from "../../errors.ts";
import { type ChangeFlags, withChangeOptions } from "../_change_target.ts";
import { editGraph, parsePort } from "./_edit.ts";

interface FileFlags extends ChangeFlags {
  fromYaml?: string;
  grace?: string;
  allowShellNodes?: boolean;
}

/** The flag that lets the `build:` commands of FILE run. */
const ALLOW_SHELL =
  "run the `build:` commands of FILE's nodes without asking (or set DORA_ALLOW_SHELL_NODES=true)";

/** `dora node add --from-yaml FILE`. */
export function nodeAddCommand() {
  return withChangeOptions(
    new Command("add")
      .description(
        "add the node (or nodes) of a YAML file to a running dataflow",
      )
      .requiredOption(
        "--from-yaml <FILE>",
        "one node, a list of nodes, or a mapping with `nodes:`, in descriptor syntax",
      )
      .option("--allow-shell-nodes", ALLOW_SHELL),
  ).action(async (opts: FileFlags) => {
    await editGraph(
      opts,
      { kind: "add", file: opts.fromYaml! },
      "add",
      undefined,
      opts.allowShellNodes,
    );
  });
}

/** `dora node replace NODE --from-yaml FILE`. */
export function nodeReplaceCommand() {
  return withChangeOptions(
    new Command("replace")
      .description(
        "swap a node for the definition in a YAML file (same id): the new process starts and connects before the old one stops",
      )
      .argument("<NODE>", "node id")
      .requiredOption("--from-yaml <FILE>", "the new definition of NODE")
      .option("--grace <DURATION>", "time the old process gets after STOP")
      .option("--allow-shell-nodes", ALLOW_SHELL),
  ).action(async (node: string, opts: FileFlags) => {
    const graceMs = durationOption("--grace", opts.grace);
    await editGraph(
      opts,
      { kind: "replace", node, file: opts.fromYaml! },
      "replace",
      graceMs,
      opts.allowShellNodes,
    );
  });
}

interface RemoveFlags extends ChangeFlags {
  force?: boolean;
  grace?: string;
}

/** `dora node remove [DATAFLOW] NODE [--force]`. */
export function nodeRemoveCommand() {
  return withChangeOptions(
    new Command("remove")
      .description("stop a node and take it out of the graph")
      .argument(
        "<NODE_OR_DATAFLOW>",
        "node id (or the dataflow, then NODE, like `dora node remove demo filter`)",
      )
      .argument("[NODE]", "node id when the dataflow comes first")
      .option(
        "--force",
        "also when other nodes read it: their inputs close (INPUT_CLOSED) and leave the graph",
      )
      .option("--grace <DURATION>", "time the node gets after STOP"),
  ).action(async (a: string, b: string | undefined, opts: RemoveFlags) => {
    const node = pickDataflowFirst(a, b, opts);
    const graceMs = durationOption("--grace", opts.grace);
    await editGraph(
      opts,
      { kind: "remove", node, force: Boolean(opts.force) },
      "remove",
      graceMs,
    );
  });
}

interface ConnectFlags extends ChangeFlags {
  queueSize?: string;
  queuePolicy?: string;
}

/** `dora node connect SRC_NODE/OUTPUT DST_NODE/INPUT`. */
export function nodeConnectCommand() {
  return withChangeOptions(
    new Command("connect")
      .description("add an edge: a new input of DST_NODE reads SRC_NODE/OUTPUT")
      .argument("<SRC>", "SRC_NODE/OUTPUT (or the dataflow, then SRC and DST)")
      .argument("<DST>", "DST_NODE/INPUT")
      .argument("[DST2]")
      .option("--queue-size <N>", "queue size of the new input (default 10)")
      .option(
        "--queue-policy <POLICY>",
        `${QUEUE_POLICIES.join(" | ")} (default drop_oldest)`,
      ),
  ).action(
    async (a: string, b: string, c: string | undefined, opts: ConnectFlags) => {
      const [src, dst] = c === undefined
        ? [a, b]
        : [pickDataflowFirst(a, b, opts), c];
      let queueSize: number | undefined;
      if (opts.queueSize !== undefined) {
        queueSize = Number(opts.queueSize);
        if (!/^\d+$/.test(opts.queueSize) || queueSize < 1) {
          throw new UsageError(
            `--queue-size must be a whole number >= 1, got "${opts.queueSize}"`,
          );
        }
      }
      const policy = opts.queuePolicy;
      if (
        policy !== undefined &&
        !(QUEUE_POLICIES as readonly string[]).includes(policy)
      ) {
        throw new UsageError(
          `--queue-policy must be one of ${
            QUEUE_POLICIES.join(", ")
          }, got "${policy}"`,
        );
      }
      await editGraph(opts, {
        kind: "connect",
        from: parsePort(src, "SRC"),
        to: parsePort(dst, "DST"),
        queueSize,
        queuePolicy: policy as QueuePolicy | undefined,
      }, "connect");
    },
  );
}

/** `dora node disconnect SRC_NODE/OUTPUT DST_NODE/INPUT`. */
export function nodeDisconnectCommand() {
  return withChangeOptions(
    new Command("disconnect")
      .description(
        "remove an edge: the input of DST_NODE gets INPUT_CLOSED and leaves the graph",
      )
      .argument("<SRC>", "SRC_NODE/OUTPUT (or the dataflow, then SRC and DST)")
      .argument("<DST>", "DST_NODE/INPUT")
      .argument("[DST2]"),
  ).action(
    async (a: string, b: string, c: string | undefined, opts: ChangeFlags) => {
      const [src, dst] = c === undefined
        ? [a, b]
        : [pickDataflowFirst(a, b, opts), c];
      await editGraph(opts, {
        kind: "disconnect",
        from: parsePort(src, "SRC"),
        to: parsePort(dst, "DST"),
      }, "disconnect");
    },
  );
}

/**
 * The original dora also takes the dataflow as the first argument
 * (`dora node remove demo filter`): with two arguments the first is the
 * dataflow (and `-d` must not be given too).
 */
function pickDataflowFirst(
  first: string,
  second: string | undefined,
  opts: ChangeFlags,
): string {
  if (second === undefined) return first;
  if (opts.dataflow !== undefined) {
    throw new UsageError(
      `give the dataflow either as -d or as the first argument, not both ("${opts.dataflow}" and "${first}")`,
    );
  }
  opts.dataflow = first;
  return second;
}
