/**
 * Builds a release folder that `dora self update --source <folder URL>` can
 * update from: the bundle `dora.js`, compiled binaries for the targets given
 * with `--compile` (needs `deno compile`'s runtime download or DENORT_BIN),
 * and `manifest.json` listing each with its SHA-256.
 *
 * Usage: deno run -A scripts/release.ts [--out dist/release] [--compile TARGET]…
 * Then publish the folder's files together (e.g. as the assets of a GitHub
 * release: the default source is its `latest/download/manifest.json`).
 *
 * @module
 */
import { DORA_VERSION } from "../src/version.ts";

const root = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const args = [...Deno.args];
let out = `${root}/dist/release`;
const targets: string[] = [];
while (args.length) {
  const a = args.shift()!;
  if (a === "--out") out = args.shift()!;
  else if (a === "--compile") targets.push(args.shift()!);
  else {
    console.error(`release: unknown argument ${a}`);
    Deno.exit(2);
  }
}
Deno.mkdirSync(out, { recursive: true });

async function run(cmd: string, cmdArgs: string[]): Promise<void> {
  const status = await new Deno.Command(cmd, { args: cmdArgs, cwd: root })
    .spawn().status;
  if (!status.success) {
    console.error(`release: ${cmd} ${cmdArgs.join(" ")} failed`);
    Deno.exit(1);
  }
}

async function sha256(path: string): Promise<string> {
  const bytes = Deno.readFileSync(path);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)).toHex();
}

const assets: { target: string; url: string; sha256: string }[] = [];
await run(Deno.execPath(), [
  "bundle",
  "--quiet",
  "--platform=deno",
  "-o",
  `${out}/dora.js`,
  "main.ts",
]);
assets.push({
  target: "bundle",
  url: "dora.js",
  sha256: await sha256(`${out}/dora.js`),
});
for (const target of targets) {
  const name = `dora-${target}`;
  await run(Deno.execPath(), [
    "compile",
    "-A",
    "--no-prompt",
    "--config",
    "deno.json",
    "--include",
    "nodes",
    "--include",
    "src/templates/files",
    "--include",
    "src/shm/dora_shm.c",
    "--target",
    target,
    "-o",
    `${out}/${name}`,
    "main.ts",
  ]);
  assets.push({ target, url: name, sha256: await sha256(`${out}/${name}`) });
}
Deno.writeTextFileSync(
  `${out}/manifest.json`,
  JSON.stringify({ version: DORA_VERSION, assets }, null, 2) + "\n",
);
console.log(
  `release ${DORA_VERSION} in ${out}: ${
    assets.map((a) => a.url).join(", ")
  }, manifest.json`,
);
