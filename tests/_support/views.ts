/**
 * Support for the views' tests (`dora ui`, `dora foxglove`, `dora mcp`): a
 * private place with the views' dataflow (an inspection place, so parallel
 * tests never see each other's runs), a view server started and its address
 * read from its first line, headless Chromium through Playwright, and a
 * folder for screenshots kept as test artefacts.
 *
 * @module
 */
import type { Browser } from "playwright-core";
import { DoraProcess, fixture, ROOT } from "./dora.ts";
import { InspectPlace } from "./inspect.ts";

/** Debian's Chromium, when installed (the dashboard tests need it). */
export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
  .find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });

/** Where the dashboard tests keep their screenshots (`out/` is ignored by git). */
export const ARTIFACTS = Deno.env.get("DORA_TEST_ARTIFACTS") ??
  `${ROOT}/out/test-artifacts/views`;

/** The files of the views' dataflow (`tests/fixtures/views/`). */
const FIXTURES = [
  "views.yml",
  "sender.ts",
  "logger.ts",
  "slow.ts",
  "crasher.ts",
  "camera.ts",
  "bulk.ts",
];

/** An inspection place with the views' dataflow copied in. */
export async function viewsPlace(): Promise<InspectPlace> {
  const place = await InspectPlace.create();
  for (const f of FIXTURES) {
    Deno.copyFileSync(fixture(`views/${f}`), `${place.dir}/${f}`);
  }
  return place;
}

/** A running view server and the address it printed. */
export interface ViewServer {
  proc: DoraProcess;
  url: string;
  /** Stops it (SIGINT) and waits until it exited. */
  stop(): Promise<void>;
}

/**
 * Starts `dora <args>` in `place` (a view server) and waits for the
 * address it prints first (`http://…` or `ws://…`).
 */
export async function startView(
  place: InspectPlace,
  args: string[],
  env: Record<string, string> = {},
): Promise<ViewServer> {
  const proc = new DoraProcess(args, {
    cwd: place.dir,
    env: { ...place.env, ...env },
  });
  place.procs.push(proc);
  const line = await proc.waitForLine(/^(https?|wss?):\/\//);
  return {
    proc,
    url: line.trim(),
    async stop() {
      try {
        proc.kill("SIGINT");
      } catch {
        // gone already
      }
      await proc.result();
    },
  };
}

/** Runs `fn` with headless Chromium; always closes it. */
export async function withBrowser<T>(
  fn: (browser: Browser) => Promise<T>,
): Promise<T> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

/** Writes a screenshot under {@linkcode ARTIFACTS}; returns its path. */
export async function keepScreenshot(
  name: string,
  png: Uint8Array,
): Promise<string> {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}/${name}`;
  await Deno.writeFile(path, png);
  // `DORA_UPDATE_DOCS_SCREENSHOTS=1` refreshes the pictures of docs/views.md.
  if (Deno.env.get("DORA_UPDATE_DOCS_SCREENSHOTS") === "1") {
    await Deno.mkdir(`${ROOT}/docs/images`, { recursive: true });
    await Deno.writeFile(`${ROOT}/docs/images/${name}`, png);
  }
  return path;
}
