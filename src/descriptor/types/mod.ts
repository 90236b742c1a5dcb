/**
 * Typed dataflows: the type library (standard packages plus the dataflow's
 * `types/` folder), URNs, compatibility rules and the eight checks that
 * `analyze` runs on every descriptor. See docs/types.md.
 *
 * @example
 * ```ts
 * import { loadTypeLibrary } from "./mod.ts";
 * const { library } = await loadTypeLibrary("/path/to/dataflow/folder");
 * library.dataType("std/math/v1/Vector3"); // { struct: [{ name: "x", dt: "f64", ... }, ...] }
 * ```
 *
 * @module
 */
import type { Diagnostic } from "../diagnostic.ts";
import { TypeLibrary } from "./library.ts";
import { stdPackages } from "./std.ts";
import { loadUserTypes } from "./user_types.ts";

export { TypeLibrary } from "./library.ts";
export { checkTypes, type TypeCheckResult } from "./checks.ts";
export type { NodePortTypes, PortType } from "../model.ts";
export {
  BYTES,
  Compatibility,
  LOGS_TYPE,
  TIMER_TYPE,
  type TypeRule,
  WIDENINGS,
} from "./compat.ts";
export { formatUrn, parseUrn, shortName, type Urn } from "./urn.ts";
export type {
  FieldDef,
  MetadataDef,
  ParamDef,
  TypeDef,
  TypePackage,
} from "./type_file.ts";
export { describeDataType } from "./arrow_names.ts";

/**
 * The library a dataflow in `baseDir` sees: the standard packages and
 * `<baseDir>/types/`. Problems in the user's type files are errors.
 */
export async function loadTypeLibrary(
  baseDir: string,
): Promise<{ library: TypeLibrary; diagnostics: Diagnostic[] }> {
  const std = stdPackages();
  const diagnostics: Diagnostic[] = [...std.diagnostics];
  const user = await loadUserTypes(baseDir, diagnostics);
  const library = TypeLibrary.build([...std.packages, ...user], diagnostics);
  return { library, diagnostics };
}
