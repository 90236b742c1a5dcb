/**
 * The output file of `dora record` (both modes): its default name, checks
 * before anything runs, and the report once it is written.
 *
 * @module
 */
import { dirname } from "node:path";
import { CliError } from "../errors.ts";
import { formatBytes, writeLines } from "../_output.ts";
import { errorMessage } from "../../errors.ts";
import { recordingInfo } from "../../record/mod.ts";

function err(line: string): void {
  writeLines([line], Deno.stderr);
}

/** `recording_<YYYYMMDD_HHMMSS>.mcap`. */
export function defaultOutput(): string {
  const t = new Date().toISOString().replace(/\..*$/, "").replace(/[-:]/g, "")
    .replace("T", "_");
  return `recording_${t}.mcap`;
}

/** Checks that `path`'s folder exists and is a folder. */
export async function checkFolder(path: string, what: string): Promise<void> {
  const dir = dirname(path);
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) {
      throw new CliError(
        `cannot write ${what} ${path}: ${dir} is not a folder`,
      );
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CliError(
        `cannot write ${what} ${path}: the folder ${dir} does not exist`,
      );
    }
    throw e;
  }
}

/** Creates the (new, empty) output file now, so a bad path fails first. */
export async function claimOutput(path: string): Promise<void> {
  await checkFolder(path, "the recording");
  try {
    (await Deno.open(path, { write: true, createNew: true })).close();
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) {
      throw new CliError(
        `the recording ${path} already exists (choose another --output or remove it)`,
      );
    }
    throw new CliError(
      `cannot write the recording ${path}: ${errorMessage(e)}`,
    );
  }
}

/** Prints what `output` holds: counts, size, topics that lost messages. */
export async function reportRecorded(output: string): Promise<void> {
  let info;
  try {
    info = await recordingInfo(output);
  } catch (e) {
    err(`dora: warning: cannot read back ${output}: ${errorMessage(e)}`);
    return;
  }
  if (!info.finished) {
    err(
      `dora: warning: the recorder did not finish ${output}; it is readable up to its last complete chunk`,
    );
  }
  const dropped = info.topics.filter((t) => t.dropped > 0);
  err(
    `dora: recorded ${info.messages} messages (${
      formatBytes(info.bytes)
    }) on ${info.topics.length} topics to ${output}`,
  );
  for (const t of dropped) {
    err(
      `dora: warning: "${t.topic}": ${t.dropped} messages could not be recorded in time (recorded ${t.messages})`,
    );
  }
}
