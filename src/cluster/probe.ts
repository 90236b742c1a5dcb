/**
 * One SSH round trip that tells what a machine is (OS, CPU, C library,
 * home), whether the wanted dora is installed intact, and what Python nodes
 * and systemd units would find there.
 *
 * @module
 */
import type { MachineConfig } from "./config.ts";
import { MachineError } from "./errors.ts";
import { PROBE_SCRIPT, VERIFY_SCRIPT } from "./remote_scripts.ts";
import { runRemote } from "./ssh.ts";

/** What a machine told about itself. */
export interface MachineProbe {
  os: string;
  arch: string;
  libc: string;
  home: string;
  /** The install dir with `~` expanded. */
  installDir: string;
  uid: number;
  user: string;
  /** The version id `current` points at, if any. */
  current?: string;
  /** `python3 --version` (x.y.z), if python3 exists. */
  python?: string;
  /** pyarrow's version, if python3 can import it. */
  pyarrow?: string;
  /** Whether systemd runs the machine (`/run/systemd/system` exists). */
  systemd: boolean;
  sudo: boolean;
}

/**
 * Probes `m`.
 *
 * @throws {SshError} when the machine cannot be reached.
 */
export async function probeMachine(m: MachineConfig): Promise<MachineProbe> {
  const r = await runRemote(m, PROBE_SCRIPT, { args: [m.installDir] });
  const kv = new Map<string, string>();
  for (const line of r.stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  if (r.code !== 0 || !kv.has("os") || !kv.has("home")) {
    throw new MachineError(
      m.id,
      `machine "${m.id}": probing it over SSH failed (exit ${r.code}): ${
        r.stderr.trim().split("\n").at(-1) ?? "no output"
      }`,
    );
  }
  return {
    os: kv.get("os")!,
    arch: kv.get("arch") ?? "",
    libc: kv.get("libc") ?? "glibc",
    home: kv.get("home")!,
    installDir: kv.get("dir")!,
    uid: Number(kv.get("uid")),
    user: kv.get("user") ?? "",
    current: kv.get("current") || undefined,
    python: kv.get("python") || undefined,
    pyarrow: kv.get("pyarrow") || undefined,
    systemd: kv.get("systemd") === "yes",
    sudo: kv.get("sudo") === "yes",
  };
}

/**
 * What Python nodes would find on the machine: undefined when python3 with
 * pyarrow is there, else a warning that says what to install.
 */
export function pythonWarning(p: MachineProbe): string | undefined {
  if (!p.python) {
    return "no python3: Python nodes cannot run there (install python3 and pyarrow)";
  }
  if (!p.pyarrow) {
    return `python3 ${p.python} has no pyarrow: Python nodes cannot run there (python3 -m pip install pyarrow)`;
  }
  return undefined;
}

/**
 * Whether version `id` is installed on `m` with every file's checksum
 * right (`verified`), installed but damaged (`corrupt`), or `absent`.
 *
 * @throws {SshError} when the machine cannot be reached.
 */
export async function verifyVersion(
  m: MachineConfig,
  id: string,
): Promise<"verified" | "corrupt" | "absent"> {
  const r = await runRemote(m, VERIFY_SCRIPT, { args: [m.installDir, id] });
  const word = r.stdout.trim();
  return word === "verified" || word === "corrupt" ? word : "absent";
}
