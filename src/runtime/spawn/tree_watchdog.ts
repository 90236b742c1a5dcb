/**
 * The process-tree watchdog of a runner (`dora run`, a daemon): a small
 * `/bin/sh` process in its own session that outlives the runner. The runner
 * tells it, through the watchdog's stdin, the process group of every node it
 * starts (each node leads its own group, which its wrapper scripts,
 * `sh -c`, `uv run` and `subprocess.Popen` children join) and the runtime
 * folders and shared-memory prefixes of its dataflows. When that pipe closes
 * — the runner exited, however it died, `kill -9` included — the watchdog
 * kills every group still listed and removes what is listed, then exits.
 *
 * `setpriv --pdeathsig` only reaches a node's own process; this reaches its
 * whole tree. A descendant that starts a session of its own (a daemonizing
 * program) leaves the group and is not covered (docs/security.md).
 *
 * @module
 */

/**
 * The watchdog program. Lines on stdin: `+g PGID` / `-g PGID` (a node's
 * process group), `+d PATH` / `-d PATH` (a folder to remove), `+s PREFIX` /
 * `-s PREFIX` (shared-memory regions `/dev/shm/PREFIX*` to remove). Signals
 * meant for the runner's terminal or group are ignored.
 */
const SCRIPT = `
trap '' HUP INT TERM PIPE QUIT
nl='
'
groups=' '
dirs="$nl"
shms="$nl"
while IFS= read -r line; do
  arg=\${line#?? }
  case $line in
    '+g '*) groups="$groups$arg " ;;
    '-g '*) x=" $arg "; case $groups in *"$x"*) groups="\${groups%%"$x"*} \${groups#*"$x"}" ;; esac ;;
    '+d '*) dirs="$dirs$arg$nl" ;;
    '-d '*) x="$nl$arg$nl"; case $dirs in *"$x"*) dirs="\${dirs%%"$x"*}$nl\${dirs#*"$x"}" ;; esac ;;
    '+s '*) shms="$shms$arg$nl" ;;
    '-s '*) x="$nl$arg$nl"; case $shms in *"$x"*) shms="\${shms%%"$x"*}$nl\${shms#*"$x"}" ;; esac ;;
  esac
done
for g in $groups; do kill -KILL "-$g" 2>/dev/null; done
printf '%s' "$dirs" | while IFS= read -r d; do [ -n "$d" ] && rm -rf -- "$d"; done
printf '%s' "$shms" | while IFS= read -r p; do [ -n "$p" ] && rm -f -- "/dev/shm/$p"*; done
`;

/** See the module docs. */
export class TreeWatchdog {
  #child?: Deno.ChildProcess;
  #writer?: WritableStreamDefaultWriter<Uint8Array>;
  #encoder = new TextEncoder();
  #failed = false;

  /** The watchdog's pid, once started (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Node process group `pgid` is killed if the runner dies. */
  watchGroup(pgid: number): void {
    this.#send(`+g ${pgid}`);
  }

  /** The group ended normally: forget it (its id may be reused). */
  forgetGroup(pgid: number): void {
    this.#send(`-g ${pgid}`);
  }

  /** Folder `path` is removed if the runner dies. */
  watchDir(path: string): void {
    this.#send(`+d ${path}`);
  }

  /** The folder was removed normally. */
  forgetDir(path: string): void {
    this.#send(`-d ${path}`);
  }

  /** Regions `/dev/shm/<prefix>*` are removed if the runner dies. */
  watchRegions(prefix: string): void {
    this.#send(`+s ${prefix}`);
  }

  /** The regions were removed normally. */
  forgetRegions(prefix: string): void {
    this.#send(`-s ${prefix}`);
  }

  #send(line: string): void {
    if (line.includes("\n")) return; // never split a command
    const writer = this.#start();
    writer?.write(this.#encoder.encode(line + "\n")).catch(() => {
      // The watchdog is gone: the sweeps at the next start remain.
    });
  }

  #start(): WritableStreamDefaultWriter<Uint8Array> | undefined {
    if (this.#writer || this.#failed) return this.#writer;
    try {
      this.#child = new Deno.Command("/bin/sh", {
        args: ["-c", SCRIPT],
        stdin: "piped",
        stdout: "null",
        stderr: "null",
        // Its own session: a terminal's Ctrl-C or a kill of the runner's
        // process group does not reach it.
        detached: true,
        clearEnv: true,
        env: { PATH: "/usr/bin:/bin" },
      }).spawn();
      this.#child.unref();
      this.#writer = this.#child.stdin.getWriter();
    } catch {
      this.#failed = true; // no /bin/sh: process groups and sweeps still apply
    }
    return this.#writer;
  }
}

let shared: TreeWatchdog | undefined;

/** The watchdog of this process (started on first use). */
export function treeWatchdog(): TreeWatchdog {
  return shared ??= new TreeWatchdog();
}
