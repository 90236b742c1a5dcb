import { CliError } from "../../errors.ts";
import type { SelfUpdateError } from "../../../self_update/mod.ts";

/** The CLI error for a {@link SelfUpdateError}: message plus its hint. */
export function selfUpdateCliError(err: SelfUpdateError): CliError {
  return new CliError(err.message, { details: err.hint ? [err.hint] : [] });
}
