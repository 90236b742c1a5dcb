/**
 * `cluster.yml`: the coordinator's address and the machines a cluster runs
 * on, read with positions so every problem names `file:line:column` and the
 * field, like the dataflow descriptor.
 *
 * @module
 */
import { resolve } from "node:path";
import { isIP } from "node:net";
import { parseEndpoint } from "../zenoh/mod.ts";
import type { Diagnostic } from "../descriptor/mod.ts";
import { displayName, SourceFile } from "../descriptor/mod.ts";
import { didYouMean } from "../descriptor/mod.ts";
import type { YamlPath } from "../descriptor/mod.ts";
import { ClusterFileError } from "./errors.ts";

/** Default daemon-to-daemon data port of a machine (the original's). */
export const DEFAULT_DAEMON_PORT = 53291;
/** Default coordinator port. */
export const DEFAULT_CLUSTER_COORDINATOR_PORT = 6013;
/** Where dora is installed on a machine unless `install_dir` says otherwise. */
export const DEFAULT_INSTALL_DIR = "~/.dora/bin";

/** One machine of the cluster. */
export interface MachineConfig {
  /** Machine id: the daemon's `--machine-id`, matched by `deploy.machine`. */
  id: string;
  /** SSH host (name or address; an `~/.ssh/config` alias works too). */
  host: string;
  /** SSH user (default: the SSH configuration's). */
  user?: string;
  /** SSH port (default: the SSH configuration's, usually 22). */
  port?: number;
  /** The daemon's data port for other daemons. */
  daemonPort: number;
  /** Labels matched by `deploy.labels`. */
  labels: Record<string, string>;
  /** Where dora is installed on the machine (`~/` = the SSH user's home). */
  installDir: string;
  /** With the zenoh transport: the address its bridge listens on for others. */
  zenohAddr?: string;
  /** With the zenoh transport: its bridge's zenoh port (default 5456). */
  zenohPort: number;
}

/** A checked `cluster.yml`. */
export interface ClusterConfig {
  /** The name problems are reported under. */
  file: string;
  /** Absolute path of the file. */
  path: string;
  coordinator: { addr: string; port: number };
  machines: MachineConfig[];
  /** Daemon-to-daemon data transport (zenoh when any zenoh field is set). */
  transport: "tcp" | "zenoh";
  /** A zenoh endpoint every machine's bridge links to (`tcp/HOST:PORT`). */
  zenohPeer?: string;
}

/** The zenoh port of a machine's bridge unless `zenoh_port` says otherwise. */
export const DEFAULT_ZENOH_PORT = 5456;

const ROOT_KEYS = ["coordinator", "machines", "transport"];
const COORDINATOR_KEYS = ["addr", "port"];
const MACHINE_KEYS = [
  "id",
  "host",
  "user",
  "port",
  "daemon_port",
  "labels",
  "install_dir",
];
/** The original's zenoh fields (they select the zenoh transport). */
const ZENOH_ROOT_KEYS = ["zenoh_peer"];
const ZENOH_MACHINE_KEYS = ["zenoh_addr", "zenoh_port"];

const MACHINE_ID = /^[A-Za-z0-9_.-]{1,256}$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const LABEL_KEY = /^[A-Za-z0-9_.\/-]+$/;
const LABEL_VALUE = /^[A-Za-z0-9_.:\/+-]*$/;

/**
 * Reads and checks a cluster file.
 *
 * @example
 * ```ts
 * const cluster = await loadClusterFile("cluster.yml");
 * console.log(cluster.machines.map((m) => m.id));
 * ```
 *
 * @throws {ClusterFileError} listing every problem with its position.
 */
export async function loadClusterFile(path: string): Promise<ClusterConfig> {
  const abs = resolve(path);
  const file = displayName(abs);
  let text: string;
  try {
    const info = await Deno.stat(abs);
    if (info.isDirectory) {
      throw new ClusterFileError([
        diag(file, `"${path}" is a directory, not a cluster file`),
      ]);
    }
    text = await Deno.readTextFile(abs);
  } catch (err) {
    if (err instanceof ClusterFileError) throw err;
    if (err instanceof Deno.errors.NotFound) {
      throw new ClusterFileError([diag(file, "file not found")]);
    }
    throw new ClusterFileError([
      diag(
        file,
        `cannot read file: ${err instanceof Error ? err.message : err}`,
      ),
    ]);
  }
  return parseClusterFile(text, file, abs);
}

/**
 * Checks the text of a cluster file (`file` names it in problems).
 *
 * @throws {ClusterFileError} listing every problem with its position.
 */
export function parseClusterFile(
  text: string,
  file = "cluster.yml",
  abs = resolve(file),
): ClusterConfig {
  const src = new SourceFile(file, abs, text);
  const problems: Diagnostic[] = [...src.syntax];
  if (problems.some((d) => d.severity === "error")) {
    throw new ClusterFileError(problems);
  }
  const config = check(src, problems);
  if (!config || problems.some((d) => d.severity === "error")) {
    throw new ClusterFileError(sortByPosition(problems));
  }
  return config;
}

function check(
  src: SourceFile,
  problems: Diagnostic[],
): ClusterConfig | undefined {
  const data = src.data;
  const at = (path: YamlPath, message: string, key = false) =>
    problems.push(src.at(path, message, { key }));
  if (!isMapping(data)) {
    at(
      [],
      `the cluster file must be a mapping with "coordinator" and "machines", got ${
        describe(data)
      }`,
    );
    return undefined;
  }
  unknownKeys(
    src,
    problems,
    [],
    data,
    [...ROOT_KEYS, ...ZENOH_ROOT_KEYS],
    "the cluster file",
  );
  const anyZenoh = "zenoh_peer" in data ||
    (Array.isArray(data.machines) &&
      data.machines.some((m) =>
        isMapping(m) && ZENOH_MACHINE_KEYS.some((k) => k in m)
      ));
  let transport: "tcp" | "zenoh" = anyZenoh ? "zenoh" : "tcp";
  if (data.transport !== undefined) {
    if (data.transport !== "tcp" && data.transport !== "zenoh") {
      at(
        ["transport"],
        `invalid transport ${
          JSON.stringify(data.transport)
        }: expected tcp or zenoh`,
      );
    } else if (data.transport === "tcp" && anyZenoh) {
      at(
        ["transport"],
        `"transport: tcp" with zenoh fields (zenoh_peer, zenoh_addr, zenoh_port): use transport: zenoh or remove them`,
      );
    } else transport = data.transport;
  }
  let zenohPeer: string | undefined;
  if (data.zenoh_peer !== undefined) {
    try {
      zenohPeer = parseEndpoint(
        String(data.zenoh_peer),
        ["tcp", "udp", "tls", "quic"],
        '"zenoh_peer"',
      ).text;
      if (typeof data.zenoh_peer !== "string") throw new Error();
    } catch {
      at(
        ["zenoh_peer"],
        `invalid zenoh_peer ${
          JSON.stringify(data.zenoh_peer)
        }: expected a zenoh endpoint such as tcp/10.0.0.1:5456`,
      );
    }
  }
  const coordinator = checkCoordinator(src, problems, data.coordinator);
  const machines: MachineConfig[] = [];
  if (!("machines" in data)) {
    at([], `missing field "machines" (the list of machines to run daemons on)`);
  } else if (!Array.isArray(data.machines)) {
    at(
      ["machines"],
      `"machines" must be a list, got ${describe(data.machines)}`,
    );
  } else if (data.machines.length === 0) {
    at(["machines"], `"machines" must list at least one machine`);
  } else {
    data.machines.forEach((raw, i) => {
      const m = checkMachine(src, problems, i, raw);
      if (m) machines.push(m);
    });
    duplicates(src, problems, data.machines, machines);
  }
  if (!coordinator) return undefined;
  return {
    file: src.file,
    path: src.abs,
    coordinator,
    machines,
    transport,
    ...(zenohPeer ? { zenohPeer } : {}),
  };
}

function checkCoordinator(
  src: SourceFile,
  problems: Diagnostic[],
  raw: unknown,
): ClusterConfig["coordinator"] | undefined {
  const at = (path: YamlPath, message: string) =>
    problems.push(src.at(path, message));
  if (raw === undefined) {
    at([], `missing field "coordinator" (its "addr" is where daemons connect)`);
    return undefined;
  }
  if (!isMapping(raw)) {
    at(
      ["coordinator"],
      `"coordinator" must be a mapping with "addr" and "port", got ${
        describe(raw)
      }`,
    );
    return undefined;
  }
  unknownKeys(
    src,
    problems,
    ["coordinator"],
    raw,
    COORDINATOR_KEYS,
    `"coordinator"`,
  );
  let addr: string | undefined;
  if (raw.addr === undefined) {
    at(
      ["coordinator"],
      `missing field "addr" in "coordinator" (the IP address daemons connect to)`,
    );
  } else if (typeof raw.addr !== "string" || isIP(raw.addr) === 0) {
    at(
      ["coordinator", "addr"],
      `invalid coordinator.addr ${
        JSON.stringify(raw.addr)
      }: expected an IP address such as 192.168.1.10`,
    );
  } else addr = raw.addr;
  const port = portField(
    src,
    problems,
    ["coordinator", "port"],
    raw.port,
    `port`,
    `"coordinator"`,
  ) ?? DEFAULT_CLUSTER_COORDINATOR_PORT;
  return addr === undefined ? undefined : { addr, port };
}

function checkMachine(
  src: SourceFile,
  problems: Diagnostic[],
  i: number,
  raw: unknown,
): MachineConfig | undefined {
  const path = ["machines", i];
  const at = (p: YamlPath, message: string, key = false) =>
    problems.push(src.at(p, message, { key }));
  if (!isMapping(raw)) {
    at(path, `machine #${i + 1} must be a mapping with "id" and "host"`);
    return undefined;
  }
  const name = typeof raw.id === "string"
    ? `machine "${raw.id}"`
    : `machine #${i + 1}`;
  unknownKeys(
    src,
    problems,
    path,
    raw,
    [...MACHINE_KEYS, ...ZENOH_MACHINE_KEYS],
    name,
  );
  let ok = true;
  if (raw.id === undefined) {
    at(path, `missing field "id" in ${name}`);
    ok = false;
  } else if (typeof raw.id !== "string" || !MACHINE_ID.test(raw.id)) {
    at(
      [...path, "id"],
      `invalid id ${
        JSON.stringify(raw.id)
      } in ${name}: use 1-256 characters of A-Z a-z 0-9 _ . -`,
    );
    ok = false;
  }
  if (raw.host === undefined) {
    at(path, `missing field "host" in ${name} (where SSH reaches it)`);
    ok = false;
  } else if (
    typeof raw.host !== "string" || raw.host === "" ||
    /[\s@]/.test(raw.host) || raw.host.startsWith("-")
  ) {
    at(
      [...path, "host"],
      `invalid host ${
        JSON.stringify(raw.host)
      } in ${name}: expected a host name or address (put the user in "user")`,
    );
    ok = false;
  }
  if (
    raw.user !== undefined &&
    (typeof raw.user !== "string" || !USER.test(raw.user))
  ) {
    at(
      [...path, "user"],
      `invalid user ${JSON.stringify(raw.user)} in ${name}`,
    );
    ok = false;
  }
  const port = portField(
    src,
    problems,
    [...path, "port"],
    raw.port,
    "port",
    name,
  );
  const daemonPort = portField(
    src,
    problems,
    [...path, "daemon_port"],
    raw.daemon_port,
    "daemon_port",
    name,
  );
  const zenohPort = portField(
    src,
    problems,
    [...path, "zenoh_port"],
    raw.zenoh_port,
    "zenoh_port",
    name,
  );
  if (
    raw.zenoh_addr !== undefined &&
    (typeof raw.zenoh_addr !== "string" || isIP(raw.zenoh_addr) === 0)
  ) {
    at(
      [...path, "zenoh_addr"],
      `invalid zenoh_addr ${
        JSON.stringify(raw.zenoh_addr)
      } in ${name}: expected an IP address`,
    );
    ok = false;
  }
  const labels = checkLabels(src, problems, path, raw.labels, name);
  let installDir = DEFAULT_INSTALL_DIR;
  if (raw.install_dir !== undefined) {
    if (
      typeof raw.install_dir !== "string" || raw.install_dir.trim() === "" ||
      /[\n\r\0]/.test(raw.install_dir)
    ) {
      at(
        [...path, "install_dir"],
        `invalid install_dir ${
          JSON.stringify(raw.install_dir)
        } in ${name}: expected a folder such as ~/.dora/bin`,
      );
      ok = false;
    } else installDir = raw.install_dir.replace(/\/+$/, "") || "/";
  }
  if (!ok || labels === undefined) return undefined;
  return {
    id: raw.id as string,
    host: raw.host as string,
    user: raw.user as string | undefined,
    port,
    daemonPort: daemonPort ?? DEFAULT_DAEMON_PORT,
    labels,
    installDir,
    zenohPort: zenohPort ?? DEFAULT_ZENOH_PORT,
    ...(raw.zenoh_addr !== undefined
      ? { zenohAddr: raw.zenoh_addr as string }
      : {}),
  };
}

function checkLabels(
  src: SourceFile,
  problems: Diagnostic[],
  path: YamlPath,
  raw: unknown,
  name: string,
): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return {};
  if (!isMapping(raw)) {
    problems.push(src.at(
      [...path, "labels"],
      `"labels" of ${name} must be a mapping such as {gpu: "true"}`,
    ));
    return undefined;
  }
  const labels: Record<string, string> = {};
  let ok = true;
  for (const [k, v] of Object.entries(raw)) {
    if (!LABEL_KEY.test(k)) {
      problems.push(src.at(
        [...path, "labels", k],
        `invalid label name "${k}" in ${name}: use A-Z a-z 0-9 _ . / -`,
        { key: true },
      ));
      ok = false;
    } else if (typeof v !== "string") {
      problems.push(src.at(
        [...path, "labels", k],
        `label "${k}" of ${name} must be a string (quote it: ${k}: "${
          String(v)
        }")`,
      ));
      ok = false;
    } else if (!LABEL_VALUE.test(v)) {
      problems.push(src.at(
        [...path, "labels", k],
        `invalid value ${
          JSON.stringify(v)
        } of label "${k}" in ${name}: use A-Z a-z 0-9 _ . : / + -`,
      ));
      ok = false;
    } else labels[k] = v;
  }
  return ok ? labels : undefined;
}

function portField(
  src: SourceFile,
  problems: Diagnostic[],
  path: YamlPath,
  raw: unknown,
  field: string,
  where: string,
): number | undefined {
  if (raw === undefined) return undefined;
  if (
    typeof raw !== "number" || !Number.isInteger(raw) || raw < 1 ||
    raw > 65535
  ) {
    problems.push(
      src.at(
        path,
        `invalid ${field} ${
          JSON.stringify(raw)
        } in ${where}: expected a port (1-65535)`,
      ),
    );
    return undefined;
  }
  return raw;
}

function unknownKeys(
  src: SourceFile,
  problems: Diagnostic[],
  path: YamlPath,
  data: Record<string, unknown>,
  known: string[],
  where: string,
): void {
  for (const key of Object.keys(data)) {
    if (known.includes(key)) continue;
    problems.push(src.at(
      [...path, key],
      `unknown field "${key}" in ${where}${didYouMean(key, known)}`,
      { key: true },
    ));
  }
}

/** Duplicate ids, and two machines that would share one data port. */
function duplicates(
  src: SourceFile,
  problems: Diagnostic[],
  raws: unknown[],
  machines: MachineConfig[],
): void {
  const ids = new Map<string, number>();
  raws.forEach((raw, i) => {
    if (!isMapping(raw) || typeof raw.id !== "string") return;
    const first = ids.get(raw.id);
    if (first === undefined) ids.set(raw.id, i);
    else {
      problems.push(src.at(
        ["machines", i, "id"],
        `duplicate machine id "${raw.id}" (machine #${first + 1} has it too)`,
      ));
    }
  });
  const ports = new Map<string, MachineConfig>();
  for (const m of machines) {
    const key = `${m.host}:${m.daemonPort}`;
    const other = ports.get(key);
    if (other && other.id !== m.id) {
      const i = raws.findIndex((r) => isMapping(r) && r.id === m.id);
      problems.push(src.at(
        ["machines", i],
        `machines "${other.id}" and "${m.id}" are both ${m.host} with daemon_port ${m.daemonPort}: give one another daemon_port`,
      ));
    } else ports.set(key, m);
  }
}

function sortByPosition(list: Diagnostic[]): Diagnostic[] {
  return list.map((d, i) => ({ d, i })).sort((a, b) =>
    a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i
  ).map(({ d }) => d);
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    Object.getPrototypeOf(v) === Object.prototype;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return JSON.stringify(v);
}

function diag(file: string, message: string): Diagnostic {
  return { file, line: 1, column: 1, message, severity: "error" };
}
