/**
 * The standard type library, `std/<category>/v1`: the data files beside this
 * module, embedded at build time (they work in a compiled or bundled `dora`).
 *
 * @module
 */
import type { Diagnostic } from "../diagnostic.ts";
import { SourceFile } from "../source.ts";
import core from "./std/core/v1.yml" with { type: "text" };
import math from "./std/math/v1.yml" with { type: "text" };
import control from "./std/control/v1.yml" with { type: "text" };
import media from "./std/media/v1.yml" with { type: "text" };
import vision from "./std/vision/v1.yml" with { type: "text" };
import { parseTypeFile, type TypePackage } from "./type_file.ts";

/** The standard packages and their file text, in documentation order. */
export const STD_FILES: readonly { pkg: string; text: string }[] = [
  { pkg: "std/core/v1", text: core },
  { pkg: "std/math/v1", text: math },
  { pkg: "std/control/v1", text: control },
  { pkg: "std/media/v1", text: media },
  { pkg: "std/vision/v1", text: vision },
];

let cached: { packages: TypePackage[]; diagnostics: Diagnostic[] } | undefined;

/** The parsed standard packages (parsed once per process). */
export function stdPackages(): {
  packages: TypePackage[];
  diagnostics: Diagnostic[];
} {
  if (!cached) {
    const diagnostics: Diagnostic[] = [];
    const packages = STD_FILES.map(({ pkg, text }) =>
      parseTypeFile(
        new SourceFile(`${pkg}.yml`, `${pkg}.yml`, text),
        pkg,
        diagnostics,
      )
    );
    cached = { packages, diagnostics };
  }
  return cached;
}
