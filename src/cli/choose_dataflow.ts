/**
 * Which running dataflow a command acts on when the user named none.
 *
 * @module
 */
import type { Peer } from "../control/peer.ts";
import { CliError, UsageError } from "./errors.ts";

/**
 * The dataflow a command acts on: the given uuid/name, else the only running
 * one; several running ones is an error that lists them.
 */
export async function chooseDataflow(
  peer: Peer,
  ref: string | undefined,
): Promise<string> {
  if (ref) return ref;
  const { dataflows } = await peer.call<
    { dataflows: { uuid: string; name?: string }[] }
  >("running", {});
  if (dataflows.length === 1) return dataflows[0].uuid;
  if (dataflows.length === 0) throw new CliError("no dataflow is running");
  if (Deno.stdin.isTerminal() && Deno.stdout.isTerminal()) {
    // Interactive picker, like the original dora on a TTY.
    dataflows.forEach((d, i) =>
      console.log(`  ${i + 1}) ${d.name ? `${d.name} (${d.uuid})` : d.uuid}`)
    );
    const answer = prompt(`which dataflow? [1-${dataflows.length}]`);
    const pick = dataflows[Number(answer) - 1];
    if (pick) return pick.uuid;
    throw new UsageError(`no dataflow chosen (answer 1-${dataflows.length})`);
  }
  throw new UsageError(
    `${dataflows.length} dataflows are running; name one: ${
      dataflows.map((d) => d.name ? `${d.name} (${d.uuid})` : d.uuid).join(", ")
    }`,
  );
}
