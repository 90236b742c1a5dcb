/**
 * `dora types`: typed node code and the type library (docs/types.md).
 *
 * - `dora types generate <PATH> [-o FILE] [--lang ts|python]`
 * - `dora types list [PATH] [--format table|json]`
 *
 * @module
 */
import { Command } from "commander";
import { addTypesGenerate } from "./_types_generate.ts";
import { addTypesList } from "./_types_list.ts";

/** Registers `dora types`. */
export function registerTypes(program: Command): void {
  const types = new Command("types").description(
    "typed dataflows: generate typed node code, list the type library",
  );
  addTypesGenerate(types);
  addTypesList(types);
  program.addCommand(types);
}
