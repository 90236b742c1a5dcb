/**
 * `dora param set NODE KEY VALUE`: sets a runtime parameter (VALUE is JSON);
 * it is stored and the running node gets `PARAM_UPDATE`.
 *
 * @module
 */
import { Command } from "commander";
import type { ParamChangeResult } from "../../../control/changes.ts";
import {
  paramKeyProblem,
  type ParamValue,
  paramValueProblem,
} from "../../../descriptor/node_params.ts";
import { errorMessage } from "../../../errors.ts";
import { UsageError } from "../../errors.ts";
import {
  type ChangeFlags,
  jsonFormat,
  withChangeOptions,
  withChangeTarget,
} from "../_change_target.ts";
import { reportParamChange } from "./_report.ts";

/** `dora param set`. */
export function paramSetCommand() {
  return withChangeOptions(
    new Command("set")
      .description(
        "set a runtime parameter (VALUE is JSON); the running node gets PARAM_UPDATE",
      )
      .argument("<NODE>", "node id")
      .argument("<KEY>", "parameter key (at most 256 bytes)")
      .argument("<VALUE>", "value as JSON (at most 64 KiB serialised)")
      .addHelpText(
        "after",
        `
Examples:
  dora param set -d my-app sensor threshold 42
  dora param set -d my-app camera resolution '"1080p"'
  dora param set -d my-app detector config '{"confidence": 0.8, "nms": 0.5}'`,
      ),
  ).action(
    async (node: string, key: string, text: string, opts: ChangeFlags) => {
      const json = jsonFormat(opts);
      const value = parseJsonValue(text);
      const problem = paramKeyProblem(key) ?? paramValueProblem(value);
      if (problem) throw new UsageError(problem);
      const r = await withChangeTarget(
        opts,
        (peer, ref) =>
          peer.call<ParamChangeResult>("param_set", {
            ref,
            node,
            key,
            json: JSON.stringify(value),
          }),
      );
      reportParamChange("set", r, json);
    },
  );
}

/** VALUE as JSON, or a usage error that shows how to quote a string. */
function parseJsonValue(text: string): ParamValue {
  try {
    return JSON.parse(text) as ParamValue;
  } catch (err) {
    throw new UsageError(
      `VALUE ${JSON.stringify(text)} is not JSON (${errorMessage(err)}); ${
        /^[\w.\-]+$/.test(text)
          ? `a string needs JSON quotes: '${JSON.stringify(text)}'`
          : `e.g. 42, true, '"text"', '[1, 2]', '{"a": 1}'`
      }`,
    );
  }
}
