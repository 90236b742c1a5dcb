/**
 * `dora recording info|cat`: look into an MCAP recording without running
 * anything (docs/record-replay.md).
 *
 * @module
 */
import type { Command } from "commander";
import { registerRecordingInfo } from "./info.ts";
import { registerRecordingCat } from "./cat.ts";
import { CliError } from "../../errors.ts";
import {
  NotMcapError,
  type RecordingInfo,
  recordingInfo,
} from "../../../record/mod.ts";

/** Registers `dora recording` and its subcommands. */
export function registerRecording(program: Command): void {
  const group = program
    .command("recording")
    .description("inspect MCAP recordings made by `dora record`");
  registerRecordingInfo(group);
  registerRecordingCat(group);
}

/** Reads a recording for a subcommand; a missing or non-MCAP file is an error. */
export async function readRecordingForCli(
  path: string,
): Promise<RecordingInfo> {
  try {
    const stat = await Deno.stat(path);
    if (stat.isDirectory) {
      throw new CliError(`${path} is a folder, not a recording`);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CliError(`recording not found: ${path}`);
    }
    throw e;
  }
  try {
    return await recordingInfo(path);
  } catch (e) {
    if (e instanceof NotMcapError) throw new CliError(e.message);
    throw e;
  }
}

/** `--format` of the recording subcommands. */
export function formatOption(text: string): "text" | "json" {
  if (text === "table" || text === "text") return "text";
  if (text === "json") return "json";
  throw new CliError(`invalid --format "${text}": expected table or json`, {
    exitCode: 2,
  });
}
