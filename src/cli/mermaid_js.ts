/**
 * Finds the cached `mermaid.min.js` that `scripts/setup.sh` fetches from npm
 * (`npm pack mermaid@12.3.0`), so graph pages never load it from a CDN.
 *
 * @module
 */
import { sourceRoot } from "../dora_command.ts";
import { CliError } from "./errors.ts";

/** The mermaid version the setup script caches. */
export const MERMAID_VERSION = "12.3.0";

/**
 * Where mermaid.min.js is looked for: only `$DORA_MERMAID_JS` when set, else
 * `.tools/mermaid/` in the install root and the executable's folder.
 */
export function mermaidCandidates(): string[] {
  const env = Deno.env.get("DORA_MERMAID_JS");
  if (env) return [env];
  const list = [`${sourceRoot()}/.tools/mermaid/mermaid.min.js`];
  const exeDir = Deno.execPath().replace(/\/[^/]*$/, "");
  list.push(`${exeDir}/mermaid.min.js`);
  return list;
}

/** The text of mermaid.min.js, or a CliError saying how to get it. */
export async function mermaidScript(): Promise<string> {
  for (const path of mermaidCandidates()) {
    try {
      return await Deno.readTextFile(path);
    } catch {
      // try the next place
    }
  }
  throw new CliError(
    "mermaid.js is not installed, so no HTML page can be made",
    {
      details: [
        "run scripts/setup.sh (it caches mermaid from npm into .tools/mermaid/),",
        "set DORA_MERMAID_JS to a mermaid.min.js, or use --mermaid for the text",
      ],
    },
  );
}
