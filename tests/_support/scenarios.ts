/**
 * Shared test scenarios: dataflows used by more than one test, kept as named
 * files in `tests/dataflows/` (see its README).
 *
 * @module
 */
import { ROOT } from "./dora.ts";

/**
 * The text of `tests/dataflows/<name>.yml` with each `$VAR` of `vars`
 * replaced; `$FIXTURES` defaults to `tests/fixtures/fault` and `$SHM` to
 * `tests/fixtures/shm`. A placeholder left unreplaced is an error.
 */
export function scenario(
  name: string,
  vars: Record<string, string> = {},
): string {
  const all: Record<string, string> = {
    FIXTURES: `${ROOT}/tests/fixtures/fault`,
    SHM: `${ROOT}/tests/fixtures/shm`,
    ...vars,
  };
  const text = Deno.readTextFileSync(`${ROOT}/tests/dataflows/${name}.yml`)
    .replace(/\$([A-Z_]+)/g, (whole, key: string) => all[key] ?? whole);
  const left = /\$[A-Z_]+/.exec(
    text.split("\n").filter((l) => !l.trimStart().startsWith("#")).join("\n"),
  );
  if (left) throw new Error(`scenario ${name}: ${left[0]} was not given`);
  return text;
}
