/**
 * Versions of dora itself and of the Deno that runs it and TypeScript nodes
 * (compared with the Deno version this checkout pins).
 *
 * @module
 */
import { type CheckResult, result } from "./check.ts";

/** The Deno version pinned by `scripts/install_deno.sh` of `root`, if any. */
export function pinnedDenoVersion(root: string): string | undefined {
  try {
    const text = Deno.readTextFileSync(`${root}/scripts/install_deno.sh`);
    return /^DENO_VERSION="([^"]+)"/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}

/** `dora` and `deno` checks. */
export function checkVersions(
  doraVersion: string,
  root: string,
): CheckResult[] {
  const deno = Deno.version.deno;
  const pinned = pinnedDenoVersion(root);
  const out = [result("dora", "ok", `dora ${doraVersion} (${root})`)];
  if (pinned && pinned !== deno) {
    out.push(
      result(
        "deno",
        "warn",
        `Deno ${deno}, but this dora is tested with ${pinned}`,
        {
          fix:
            `run scripts/install_deno.sh in ${root} (installs Deno ${pinned} from npm)`,
        },
      ),
    );
  } else {
    out.push(result("deno", "ok", `Deno ${deno} (${Deno.execPath()})`));
  }
  return out;
}
