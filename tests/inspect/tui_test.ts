/**
 * The terminal UIs in a real terminal (tmux): `dora top` (the table of nodes,
 * the keys that select and sort, the end of the dataflow while attached) and
 * `dora topic hz` (statistics, sparkline and histogram of the selected topic).
 */
import assert from "node:assert/strict";
import { doraCommand } from "../../src/dora_command.ts";
import { InspectPlace, Tmux } from "../_support/mod.ts";

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

Deno.test("dora top shows the nodes, sorts and selects with keys, and exits 0 when the dataflow ends", async () => {
  const place = await InspectPlace.create();
  let tmux: Tmux | undefined;
  try {
    const run = await place.run("pipeline.yml", ["--name", "pipe"]);
    const { cmd, args } = doraCommand();
    tmux = await Tmux.start(
      [cmd, ...args, "top", "--refresh-interval", "1"].map(shellQuote).join(
        " ",
      ),
      { cwd: place.dir, env: place.env },
    );
    const first = await tmux.waitFor(/receiver\s+Running\s+pipe\s+\d+/);
    assert.match(
      first,
      /dora top — 1 dataflow, 2 nodes — every 1s — sorted by name/,
    );
    assert.match(
      first,
      /NODE\s+STATUS\s+DATAFLOW\s+PID\s+CPU%\s+MEMORY \(MB\)\s+RESTARTS\s+QUEUE\s+NET TX\s+NET RX\s+I\/O READ \(MB\/s\)\s+I\/O WRITE \(MB\/s\)/,
    );
    assert.match(first, /sender\s+Running\s+pipe\s+\d+/);
    // The first row (receiver, by name) is selected: its detail is shown.
    assert.match(first, /in {2}numbers ← sender\/numbers/);

    await tmux.keys("j");
    await tmux.waitFor(/out numbers: [\d.]+\/s, sent \d+ → receiver\/numbers/);
    await tmux.keys("Up");
    await tmux.waitFor(/in {2}numbers ← sender\/numbers/);
    await tmux.keys("m");
    await tmux.waitFor(/sorted by memory/);
    await tmux.keys("c");
    await tmux.waitFor(/sorted by cpu/);

    run.kill("SIGINT");
    assert.equal((await run.result()).code, 0);
    const end = await tmux.waitFor(/\[exit \d+\]/);
    assert.match(
      end,
      /dataflow pipe \([0-9a-f-]{36}\) ended; no dataflow is running any more/,
    );
    assert.match(end, /\[exit 0\]/);
  } finally {
    await tmux?.close();
    await place.cleanup();
  }
});

Deno.test("dora top quits on q and restores the terminal", async () => {
  const place = await InspectPlace.create();
  let tmux: Tmux | undefined;
  try {
    await place.run();
    const { cmd, args } = doraCommand();
    tmux = await Tmux.start(
      [cmd, ...args, "top"].map(shellQuote).join(" "),
      { cwd: place.dir, env: place.env },
    );
    await tmux.waitFor(/sender\s+Running/);
    await tmux.keys("q");
    const end = await tmux.waitFor(/\[exit \d+\]/);
    assert.match(end, /\[exit 0\]/);
    // The alternate screen is gone: the table is no longer shown.
    assert.doesNotMatch(end, /NODE\s+STATUS/);
  } finally {
    await tmux?.close();
    await place.cleanup();
  }
});

Deno.test("dora topic hz shows rates, a sparkline and a histogram, selects with keys and quits on Esc", async () => {
  const place = await InspectPlace.create();
  let tmux: Tmux | undefined;
  try {
    await place.run("pipeline.yml", ["--debug"]);
    const { cmd, args } = doraCommand();
    tmux = await Tmux.start(
      [cmd, ...args, "topic", "hz", "--window", "5"].map(shellQuote).join(" "),
      { cwd: place.dir, env: place.env },
    );
    const screen = await tmux.waitFor(
      /sender\/numbers: messages per second, last [1-9]\d*s/,
    );
    assert.match(
      screen,
      /dora topic hz — pipeline \([0-9a-f-]{36}\) — window 5s/,
    );
    assert.match(
      screen,
      /TOPIC\s+AVG \(ms\)\s+AVG \(Hz\)\s+MIN \(ms\)\s+MAX \(ms\)\s+STD \(ms\)\s+MSGS\s+LOST/,
    );
    assert.match(screen, /sender\/status\s+-\s+-/);
    await tmux.waitFor(/sender\/numbers\s+[\d.]+\s+[\d.]+\s+[\d.]+/);
    await tmux.waitFor(
      /period histogram over the window \(ms\)\n\s+[\d.]+ – [\d.]+\s+█+ \d+/,
    );
    await tmux.keys("j");
    await tmux.waitFor(/sender\/status: messages per second/);
    await tmux.keys("Escape");
    const end = await tmux.waitFor(/\[exit \d+\]/);
    assert.match(end, /\[exit 0\]/);
  } finally {
    await tmux?.close();
    await place.cleanup();
  }
});
