/**
 * Record/replay benchmark (docs/benchmark.md, "Record and replay"):
 *
 * 1. Recording cost: the camera (4 MB at 30 Hz) + IMU (8 B at 1 kHz)
 *    dataflow, run alternately with `dora run` and with `dora record` (every
 *    output), ROUNDS times each; the sinks' p50/p99 latency and every drop.
 * 2. Replay speed: a 1 GB recording (256 camera frames of 4 MB) generated
 *    here, replayed with `dora replay --speed 0` into a sink.
 *
 * Usage: deno run -A examples/record-replay/bench.ts
 *   BENCH_SECONDS (15) per run, BENCH_ROUNDS (2), BENCH_DIR (where the
 *   recordings go; default: a tmpfs the script mounts when it runs as root,
 *   else the temp folder; a disk slower than 126 MB/s cannot take the camera:
 *   the recorder then drops and counts, see docs/record-replay.md).
 *
 * @module
 */
import { doraCommand } from "../../src/dora_command.ts";
import {
  fileSink,
  META_DATAFLOW,
  RecordingWriter,
} from "../../src/record/mod.ts";
import { encodeMessage } from "../../src/record/arrow_ipc.ts";
import { makeVector } from "apache-arrow";

const here = new URL(".", import.meta.url).pathname.replace(/\/$/, "");
const seconds = Number(Deno.env.get("BENCH_SECONDS") ?? 15);
const rounds = Number(Deno.env.get("BENCH_ROUNDS") ?? 2);
const dir = Deno.env.get("BENCH_DIR") ?? await Deno.makeTempDir({
  prefix: "dora-bench-",
});
/** Whether `dir` is a tmpfs mounted here (and unmounted at the end). */
const mounted = !Deno.env.get("BENCH_DIR") &&
  (await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "size=4g", "tmpfs", dir],
    stderr: "null",
  }).output().catch(() => ({ success: false }))).success;
console.log(
  `recordings in ${dir} (${
    mounted ? "a tmpfs" : "not a tmpfs: disk speed counts"
  })`,
);

async function dora(args: string[]): Promise<string> {
  const { cmd, args: lead } = doraCommand();
  const out = await new Deno.Command(cmd, {
    args: [...lead, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) +
    new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`dora ${args.join(" ")} failed:\n${text}`);
  return text;
}

interface Latency {
  input: string;
  n: number;
  p50_us: number;
  p99_us: number;
}

function latencies(text: string): Record<string, Latency> {
  const out: Record<string, Latency> = {};
  for (const m of text.matchAll(/latency (\{.*\})/g)) {
    const l = JSON.parse(m[1]!) as Latency;
    out[l.input] = l;
  }
  return out;
}

function drops(text: string): string[] {
  return [...text.matchAll(/^\s+(\S+)\s+ok; (dropped[^;\n]*)/gm)].map((m) =>
    `${m[1]}: ${m[2]}`
  );
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// 1. What recording costs the other receivers.
const yaml = `${here}/dataflow.yml`;
const base: Record<string, number[]> = { image: [], accel: [] };
const rec: Record<string, number[]> = { image: [], accel: [] };
const counts: Record<string, number[]> = { image: [], accel: [] };
const recDrops: number[] = [];
const otherDrops: string[] = [];
for (let r = 0; r < rounds; r++) {
  const a = await dora(["run", yaml, "--stop-after", `${seconds}s`]);
  for (const [k, l] of Object.entries(latencies(a))) base[k]!.push(l.p50_us);
  otherDrops.push(...drops(a).map((d) => `run: ${d}`));
  const file = `${dir}/dora-bench-record-${r}.mcap`;
  await Deno.remove(file).catch(() => {});
  try {
    const b = await dora([
      "record",
      yaml,
      "-o",
      file,
      "--stop-after",
      `${seconds}s`,
    ]);
    for (const [k, l] of Object.entries(latencies(b))) {
      rec[k]!.push(l.p50_us);
      counts[k]!.push(l.n);
    }
    otherDrops.push(...drops(b).map((d) => `record: ${d}`));
    const info = JSON.parse(
      await dora(["recording", "info", file, "--format", "json"]).then((t) =>
        t.slice(t.indexOf("{"))
      ),
    );
    recDrops.push(
      info.topics.reduce(
        (n: number, t: { dropped: number }) => n + t.dropped,
        0,
      ),
    );
    console.log(
      `round ${r + 1}: run p50 image ${base.image!.at(-1)} us, accel ${
        base.accel!.at(-1)
      } us; record p50 image ${rec.image!.at(-1)} us, accel ${
        rec.accel!.at(-1)
      } us; recorded ${info.messages} messages (${
        (info.bytes / 1e6).toFixed(0)
      } MB), recorder drops ${recDrops.at(-1)}`,
    );
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

// 2. Replay speed of a 1 GB recording.
const file = `${dir}/dora-bench-replay.mcap`;
const frames = 256;
const frameSize = 4 << 20;
{
  const descriptor = [
    "nodes:",
    "  - id: camera",
    "    path: camera.ts",
    "    inputs:",
    "      tick: dora/timer/hz/30",
    "    outputs:",
    "      - image",
    "  - id: sink",
    "    path: replay_sink.ts",
    "    inputs:",
    "      image: camera/image",
    "",
  ].join("\n");
  const f = await Deno.open(file, {
    write: true,
    create: true,
    truncate: true,
  });
  const w = new RecordingWriter(fileSink(f));
  await w.start();
  await w.addMetadata(META_DATAFLOW, {
    descriptor,
    source: `${here}/generated.yml`,
    working_dir: here,
    topics: JSON.stringify(["camera/image"]),
  });
  const frame = new Uint8Array(frameSize);
  let schema = 0;
  let channel = 0;
  for (let i = 0; i < frames; i++) {
    frame.fill(i & 0xff);
    const enc = encodeMessage(makeVector(frame), { frame: i });
    if (i === 0) {
      schema = w.addSchema("Uint8", "arrow", enc.schema);
      channel = w.addChannel(schema, "camera/image", "arrow");
    }
    const t = 1_700_000_000_000_000_000n + BigInt(i) * 33_333_333n;
    await w.addMessage(channel, t, t, enc.batch);
  }
  await w.end();
  f.close();
}
const size = (await Deno.stat(file)).size;
try {
  const results: { wall: number; sink: number; replayer: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const out = await dora(["replay", file, "--speed", "0"]);
    const wall = (performance.now() - t0) / 1000;
    const sink = JSON.parse(/replay_sink (\{.*\})/.exec(out)![1]!);
    const replayer = Number(
      /replayed \d+ messages .*seconds=([\d.]+)/.exec(out)?.[1] ?? NaN,
    );
    if (sink.messages !== frames) {
      throw new Error(`the sink got ${sink.messages} of ${frames} frames`);
    }
    results.push({
      wall: size / 1e6 / wall,
      sink: sink.bytes / 1e6 / sink.seconds,
      replayer: size / 1e6 / replayer,
    });
    console.log(
      `replay ${r + 1}: ${(size / 1e9).toFixed(2)} GB; sink ${
        results.at(-1)!.sink.toFixed(0)
      } MB/s (first to last frame), replay node ${
        results.at(-1)!.replayer.toFixed(0)
      } MB/s, whole command ${results.at(-1)!.wall.toFixed(0)} MB/s (${
        wall.toFixed(2)
      } s with start-up)`,
    );
  }
  const pct = (a: number, b: number) => ((b - a) / a * 100).toFixed(1);
  console.log("\nsummary");
  for (const k of ["image", "accel"]) {
    console.log(
      `  ${k}: p50 ${median(base[k]!)} us without, ${
        median(rec[k]!)
      } us with the recorder (${pct(median(base[k]!), median(rec[k]!))} %)`,
    );
  }
  console.log(`  recorder drops per run: ${recDrops.join(", ")}`);
  console.log(`  other drops: ${otherDrops.join("; ") || "none"}`);
  console.log(
    `  replay --speed 0: sink ${
      median(results.map((r) => r.sink)).toFixed(0)
    } MB/s, replay node ${
      median(results.map((r) => r.replayer)).toFixed(0)
    } MB/s`,
  );
} finally {
  await Deno.remove(file).catch(() => {});
  if (mounted) await new Deno.Command("umount", { args: [dir] }).output();
  if (!Deno.env.get("BENCH_DIR")) await Deno.remove(dir, { recursive: true });
}
