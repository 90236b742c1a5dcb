/**
 * Machines for the `dora cluster` tests (`tests/cluster_ssh/`): each one a real OpenSSH server
 * (`/usr/sbin/sshd` from Debian's openssh-server) on its own loopback port,
 * with its own host key, authorized keys and HOME (so each has its own
 * `~/.dora`, install dir and state). Nothing of the system's SSH setup is
 * touched; the client uses its own key, config and known_hosts file.
 *
 * @module
 */
import { freePort } from "./cluster.ts";
import { ROOT, runDora, type RunResult } from "./dora.ts";

/** One emulated machine. */
export interface LabMachine {
  id: string;
  /** Its HOME: `~/.dora` and the install dir live below it. */
  home: string;
  /** SSH port on 127.0.0.1. */
  port: number;
  sshd?: Deno.ChildProcess;
}

/** Options of one machine. */
export interface MachineOptions {
  /** Accept the lab's client key (default true); false = a "wrong key". */
  acceptKey?: boolean;
  /** Folders put first on the machine's PATH (e.g. a fake `uname`). */
  pathPrefix?: string;
  /** No sshd at all: the port refuses connections (an unreachable host). */
  down?: boolean;
  /**
   * In a network namespace of its own (its 127.0.0.1 is not ours): SSH
   * reaches it through `nsenter`, but it cannot reach our coordinator.
   * Its cluster-file host is then `<id>.netns`.
   */
  isolated?: boolean;
}

async function keygen(path: string): Promise<void> {
  const out = await new Deno.Command("ssh-keygen", {
    args: ["-q", "-t", "ed25519", "-N", "", "-f", path],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `ssh-keygen failed: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
}

const SSHD = "/usr/sbin/sshd";
/** The artifact cache shared by the cluster tests of this checkout. */
const SHARED_CACHE = `${
  Deno.env.get("TMPDIR") ?? "/tmp"
}/dora-cluster-test-cache-${
  new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(ROOT)),
  ).subarray(0, 6).toHex()
}`;
/** Copies stdin to a TCP address and the answers to stdout (an ssh ProxyCommand). */
const RELAY = new URL("./tcp_relay.ts", import.meta.url).pathname;

/** A set of machines behind sshd instances, and the dora CLI's environment. */
export class SshLab {
  readonly dir: string;
  readonly machines = new Map<string, LabMachine>();
  readonly user = Deno.env.get("USER") ?? "root";
  readonly env: Record<string, string>;

  private constructor(dir: string) {
    this.dir = dir;
    this.env = {
      NO_COLOR: "1",
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      // The real HOME: the Deno cache of this checkout lives there.
      HOME: Deno.env.get("HOME") ?? dir,
      DORA_STATE_DIR: `${dir}/local/.dora`,
      // Artifacts are cached by content: one cache for every test of this
      // checkout saves a bundle and a gzip per test.
      DORA_CACHE_DIR: SHARED_CACHE,
      DORA_SSH_CONFIG: `${dir}/ssh_config`,
    };
  }

  /** A new lab in a temporary folder (no machines yet). */
  static async create(): Promise<SshLab> {
    try {
      await Deno.stat(SSHD);
    } catch {
      throw new Error(
        `${SSHD} is missing: install Debian's openssh-server (scripts/setup.sh --test does)`,
      );
    }
    // sshd insists on its privilege-separation folder.
    await Deno.mkdir("/run/sshd", { recursive: true, mode: 0o755 });
    const lab = new SshLab(await Deno.makeTempDir({ prefix: "dora-ssh-" }));
    await Deno.mkdir(`${lab.dir}/local/.dora`, { recursive: true });
    await keygen(`${lab.dir}/client_key`);
    await keygen(`${lab.dir}/other_key`);
    await Deno.writeTextFile(
      `${lab.dir}/ssh_config`,
      `Host *
  IdentityFile ${lab.dir}/client_key
  IdentitiesOnly yes
  UserKnownHostsFile ${lab.dir}/known_hosts
  GlobalKnownHostsFile /dev/null
`,
    );
    return lab;
  }

  /** Starts a machine's sshd and waits until it listens. */
  async addMachine(id: string, opts: MachineOptions = {}): Promise<LabMachine> {
    const home = `${this.dir}/machines/${id}`;
    await Deno.mkdir(home, { recursive: true });
    const machine: LabMachine = { id, home, port: freePort() };
    this.machines.set(id, machine);
    if (opts.down) return machine;
    const etc = `${this.dir}/sshd/${id}`;
    await Deno.mkdir(etc, { recursive: true });
    await keygen(`${etc}/host_key`);
    const key = opts.acceptKey === false ? "other_key" : "client_key";
    await Deno.copyFile(`${this.dir}/${key}.pub`, `${etc}/authorized_keys`);
    const path = [opts.pathPrefix, "/usr/local/bin:/usr/bin:/bin:/usr/sbin"]
      .filter(Boolean).join(":");
    await Deno.writeTextFile(
      `${etc}/sshd_config`,
      `ListenAddress 127.0.0.1:${machine.port}
HostKey ${etc}/host_key
AuthorizedKeysFile ${etc}/authorized_keys
PidFile none
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
SetEnv HOME=${home} PATH=${path} DORA_LAB_MACHINE=${id}
`,
    );
    const sshd = opts.isolated
      ? new Deno.Command("unshare", {
        args: [
          "-n",
          "sh",
          "-c",
          'ip link set lo up && exec "$0" -D -e -f "$1"',
          SSHD,
          `${etc}/sshd_config`,
        ],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn()
      : new Deno.Command(SSHD, {
        args: ["-D", "-e", "-f", `${etc}/sshd_config`],
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
    machine.sshd = sshd;
    let seen = "";
    const listening = (async () => {
      for await (
        const chunk of sshd.stderr.pipeThrough(new TextDecoderStream())
      ) {
        seen += chunk;
        if (/Server listening/.test(seen)) break;
      }
      // Keep draining so sshd never blocks on a full pipe.
      sshd.stderr.pipeTo(new WritableStream()).catch(() => {});
    })();
    await Promise.race([
      listening,
      sshd.status.then((s) => {
        throw new Error(`sshd of ${id} exited (${s.code}): ${seen}`);
      }),
    ]);
    if (opts.isolated) {
      // ssh reaches it from inside its namespace, through a tiny TCP relay.
      await Deno.writeTextFile(
        `${this.dir}/ssh_config`,
        `Host ${id}.netns
  HostName 127.0.0.1
  ProxyCommand nsenter -t ${sshd.pid} -n ${Deno.execPath()} run -A --no-prompt --no-config ${RELAY} 127.0.0.1 %p
` + await Deno.readTextFile(`${this.dir}/ssh_config`),
      );
    }
    return machine;
  }

  /** The machine called `id`. */
  machine(id: string): LabMachine {
    const m = this.machines.get(id);
    if (!m) throw new Error(`no lab machine ${id}`);
    return m;
  }

  /** A `cluster.yml` for the coordinator on `coordinatorPort` and `machines` (extra YAML per machine). */
  clusterFile(
    name: string,
    coordinatorPort: number,
    machines: {
      id: string;
      daemonPort: number;
      extra?: string;
      host?: string;
    }[],
  ): string {
    const text = `coordinator:
  addr: 127.0.0.1
  port: ${coordinatorPort}
machines:
${
      machines.map((m) =>
        `  - id: ${m.id}
    host: ${m.host ?? "127.0.0.1"}
    user: ${this.user}
    port: ${this.machine(m.id).port}
    daemon_port: ${m.daemonPort}
${m.extra ?? ""}`
      ).join("")
    }`;
    const path = `${this.dir}/${name}`;
    Deno.writeTextFileSync(path, text);
    return path;
  }

  /** Writes a file into the lab folder; resolves to its path. */
  write(name: string, text: string): string {
    const path = `${this.dir}/${name}`;
    Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(path, text);
    return path;
  }

  /** Runs the dora CLI (this checkout) as the lab's local user. */
  dora(args: string[]): Promise<RunResult> {
    return runDora(args, { cwd: this.dir, env: this.env });
  }

  /**
   * Processes started on machine `id`: those whose environment carries its
   * HOME (daemons and their nodes), minus the lab's sshd.
   */
  processesOf(id: string): number[] {
    return processesWith(`HOME=${this.machine(id).home}\0`);
  }

  /** Every process that belongs to the lab (machines, local coordinator, nodes). */
  leftovers(): number[] {
    const sshds = new Set(
      [...this.machines.values()].map((m) => m.sshd?.pid).filter((p) => p),
    );
    return [
      ...new Set([
        ...processesWith(this.dir),
        ...processesWith(`DORA_STATE_DIR=${this.env.DORA_STATE_DIR}\0`),
      ]),
    ].filter((p) => !sshds.has(p) && p !== Deno.pid);
  }

  /** Kills whatever is left, stops every sshd and removes the folder. */
  async cleanup(): Promise<void> {
    for (const pid of this.leftovers()) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
    for (const m of this.machines.values()) {
      if (!m.sshd) continue;
      try {
        m.sshd.kill("SIGTERM");
      } catch {
        // gone
      }
      await m.sshd.status;
    }
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/**
 * Pids of live processes whose environment or command line contains
 * `needle` (zombies excluded).
 */
export function processesWith(needle: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      if (stat.slice(stat.lastIndexOf(")") + 2)[0] === "Z") continue;
      const env = Deno.readTextFileSync(`/proc/${e.name}/environ`);
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      if (env.includes(needle) || cmd.includes(needle)) {
        out.push(Number(e.name));
      }
    } catch {
      // gone
    }
  }
  return out;
}
