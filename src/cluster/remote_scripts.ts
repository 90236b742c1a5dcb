/**
 * The POSIX shell programs `dora cluster` runs on each machine over SSH.
 * Values reach them as positional arguments (never spliced into the text),
 * secrets only through standard input.
 *
 * Layout on a machine (`install_dir`, default `~/.dora/bin`):
 *
 * ```
 * <install_dir>/dora            -> current/dora
 * <install_dir>/current         -> versions/<id>   (switched atomically)
 * <install_dir>/versions/<id>/  dora, deno, lib/, MANIFEST.sha256, VERSION
 * ~/.dora/cluster/daemon-<machine id>.{pid,log,env}
 * ```
 *
 * @module
 */

/** Helpers every script starts with. `$1` is always the install dir. */
const PRELUDE = `
set -u
expand_dir() {
  case $1 in
    "~") printf '%s\\n' "$HOME" ;;
    "~/"*) printf '%s/%s\\n' "$HOME" "\${1#"~/"}" ;;
    /*) printf '%s\\n' "$1" ;;
    *) printf '%s/%s\\n' "$HOME" "$1" ;;
  esac
}
sum256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}
dir=$(expand_dir "$1")
state="$HOME/.dora/cluster"
`;

/** Whether pid file \`$pidf\` names a live daemon of machine \`$id\`. */
const DAEMON_ALIVE = `
args_of() {
  if [ -r "/proc/$1/cmdline" ]; then tr '\\000' ' ' <"/proc/$1/cmdline"; else ps -ww -p "$1" -o args= 2>/dev/null; fi
}
daemon_alive() {
  [ -f "$pidf" ] || return 1
  pid=$(cat "$pidf" 2>/dev/null)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  case " $(args_of "$pid") " in
    *" daemon --machine-id $id "*) return 0 ;;
  esac
  return 1
}
`;

/**
 * Probe: prints `key=value` lines about the machine and what is installed.
 * Args: install dir.
 */
export const PROBE_SCRIPT = PRELUDE + `
echo "os=$(uname -s)"
echo "arch=$(uname -m)"
echo "home=$HOME"
echo "dir=$dir"
echo "uid=$(id -u)"
echo "user=$(id -un)"
if ldd --version 2>&1 | grep -qi musl; then echo "libc=musl"; else echo "libc=glibc"; fi
if [ -L "$dir/current" ]; then echo "current=$(basename "$(readlink "$dir/current")")"; fi
if command -v python3 >/dev/null 2>&1; then
  echo "python=$(python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)"
  echo "pyarrow=$(python3 -c 'import pyarrow; print(pyarrow.__version__)' 2>/dev/null)"
fi
if [ -d /run/systemd/system ]; then echo "systemd=yes"; else echo "systemd=no"; fi
if command -v sudo >/dev/null 2>&1; then echo "sudo=yes"; fi
exit 0
`;

/**
 * Verify: checks every file of `versions/<id>` against its manifest. Prints
 * `verified`, `corrupt` or `absent`. Args: install dir, version id.
 */
export const VERIFY_SCRIPT = PRELUDE + `
v="$dir/versions/$2"
if [ ! -f "$v/MANIFEST.sha256" ]; then echo "absent"; exit 0; fi
if (cd "$v" && sum256 -c --status MANIFEST.sha256) >/dev/null 2>&1; then echo "verified"; else echo "corrupt"; fi
`;

/**
 * Ship: unpacks a gzip'd tar from stdin into `versions/<id>`, checks every
 * file against MANIFEST.sha256, and only then moves it into place.
 * Args: install dir, version id. Exit 3: checksum mismatch.
 */
export const SHIP_SCRIPT = PRELUDE + `
id=$2
mkdir -p "$dir/versions" || exit 1
tmp="$dir/versions/.incoming.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp" || exit 1
gzip -dc | tar -xf - -C "$tmp" || { echo "could not unpack the archive into $tmp" >&2; exit 1; }
if ! (cd "$tmp" && sum256 -c --quiet MANIFEST.sha256) >&2; then
  echo "checksum mismatch after copying to $dir" >&2
  exit 3
fi
rm -rf "$dir/versions/$id"
mv "$tmp" "$dir/versions/$id" || exit 1
trap - EXIT
echo "shipped=$id"
`;

/**
 * Activate: points `current` (and `dora`) at `versions/<id>` atomically and
 * removes versions other than this one and the previous one.
 * Args: install dir, version id.
 */
export const ACTIVATE_SCRIPT = PRELUDE + `
id=$2
[ -d "$dir/versions/$id" ] || { echo "version $id is not installed in $dir" >&2; exit 1; }
previous=""
if [ -L "$dir/current" ]; then previous=$(basename "$(readlink "$dir/current")"); fi
# Atomic where mv -T exists (GNU); plain mv would move into the old target.
ln -sfn "versions/$id" "$dir/.current.$$" || exit 1
if ! mv -Tf "$dir/.current.$$" "$dir/current" 2>/dev/null; then
  rm -f "$dir/.current.$$"
  ln -sfn "versions/$id" "$dir/current" || exit 1
fi
ln -sfn "current/dora" "$dir/dora"
for v in "$dir"/versions/*; do
  [ -d "$v" ] || continue
  name=$(basename "$v")
  if [ "$name" != "$id" ] && [ "$name" != "$previous" ]; then rm -rf "$v"; fi
done
echo "active=$id"
`;

/**
 * Start: reads the coordinator token from the first line of stdin, starts
 * `dora daemon` detached with its log, prints `started <pid>` (or
 * `running <pid>` when this machine's daemon is already up), then watches
 * it: prints `exited <code>`, the log's tail (`log: ` lines) and `end` if it
 * dies, and returns when
 * the caller closes stdin. Args: install dir, machine id, daemon flags….
 */
export const START_SCRIPT = PRELUDE + DAEMON_ALIVE + `
id=$2
shift 2
mkdir -p "$state" && chmod 700 "$state" || exit 1
log="$state/daemon-$id.log"
pidf="$state/daemon-$id.pid"
IFS= read -r DORA_AUTH_TOKEN || { echo "no token on stdin" >&2; exit 1; }
export DORA_AUTH_TOKEN
if daemon_alive; then
  echo "running $pid"
  cat >/dev/null
  exit 0
fi
[ -x "$dir/dora" ] || { echo "dora is not installed in $dir" >&2; exit 1; }
cd "$HOME" || exit 1
if command -v setsid >/dev/null 2>&1; then
  setsid "$dir/dora" daemon --machine-id "$id" "$@" >"$log" 2>&1 </dev/null &
else
  nohup "$dir/dora" daemon --machine-id "$id" "$@" >"$log" 2>&1 </dev/null &
fi
pid=$!
unset DORA_AUTH_TOKEN
echo "$pid" >"$pidf"
echo "started $pid"
trap 'exit 0' USR1
# An asynchronous list gets /dev/null as stdin: hand it ours through fd 4.
exec 4<&0
( cat <&4 >/dev/null; kill -USR1 $$ 2>/dev/null ) &
wait "$pid"
code=$?
echo "exited $code"
tail -n 20 "$log" 2>/dev/null | sed 's/^/log: /'
echo "end"
wait
`;

/**
 * Stop: SIGTERM to this machine's daemon (it stops its nodes with the stop
 * ladder), SIGKILL after `$3` seconds, then forgets its pid file. Prints
 * `stopped <pid>`, `killed <pid>` or `none`. Args: install dir, machine id,
 * grace seconds.
 */
export const STOP_SCRIPT = PRELUDE + DAEMON_ALIVE + `
id=$2
grace=$3
pidf="$state/daemon-$id.pid"
if ! daemon_alive; then rm -f "$pidf"; echo "none"; exit 0; fi
kill -TERM "$pid" 2>/dev/null
i=0
while kill -0 "$pid" 2>/dev/null && [ "$i" -lt $((grace * 10)) ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then
  kill -KILL "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$pidf"
  echo "killed $pid"
else
  rm -f "$pidf"
  echo "stopped $pid"
fi
`;

/**
 * Wait-gone: waits up to `$3` seconds for this machine's daemon to exit by
 * itself (after the coordinator told it to), then forgets its pid file.
 * Prints `none` (no pid file), `exited` or `alive <pid>`. Args: install dir, machine id, seconds.
 */
export const WAIT_GONE_SCRIPT = PRELUDE + DAEMON_ALIVE + `
id=$2
limit=$3
pidf="$state/daemon-$id.pid"
[ -f "$pidf" ] || { echo "none"; exit 0; }
i=0
while daemon_alive && [ "$i" -lt $((limit * 10)) ]; do sleep 0.1; i=$((i + 1)); done
if daemon_alive; then echo "alive $pid"; else rm -f "$pidf"; echo "exited"; fi
`;

/**
 * Log tail: the last `$3` lines of the daemon's log (its journal when it is
 * a systemd service). Args: install dir, machine id, lines.
 */
export const LOG_TAIL_SCRIPT = PRELUDE + `
unit="dora-daemon-$2.service"
if [ -f "/etc/systemd/system/$unit" ] && command -v journalctl >/dev/null 2>&1; then
  journalctl -u "$unit" -n "$3" --no-pager -o cat 2>/dev/null ||
    sudo -n journalctl -u "$unit" -n "$3" --no-pager -o cat 2>/dev/null
else
  tail -n "$3" "$state/daemon-$2.log" 2>/dev/null
fi
exit 0
`;

/** Runs the rest of the line as root: directly, or through `sudo -n`. */
const AS_ROOT = `
if [ "$(id -u)" = 0 ]; then as_root() { "$@"; }; else as_root() { sudo -n "$@"; }; fi
[ -d /run/systemd/system ] || { echo "this machine does not run systemd" >&2; exit 6; }
`;

/**
 * Systemd install: stdin = the token line, then the unit file. Writes the
 * token file (0600), the unit, and enables it now. Args: install dir,
 * machine id, unit name.
 */
export const SYSTEMD_INSTALL_SCRIPT = PRELUDE + AS_ROOT + `
id=$2
unit=$3
IFS= read -r token || { echo "no token on stdin" >&2; exit 1; }
mkdir -p "$state" && chmod 700 "$state" || exit 1
( umask 077 && printf 'DORA_AUTH_TOKEN=%s\\n' "$token" >"$state/daemon-$id.env" ) || exit 1
cat | as_root tee "/etc/systemd/system/$unit" >/dev/null ||
  { echo "cannot write /etc/systemd/system/$unit (root or passwordless sudo needed)" >&2; exit 4; }
as_root systemctl daemon-reload || exit 5
as_root systemctl enable --now "$unit" || { echo "systemctl enable --now $unit failed" >&2; exit 5; }
echo "installed"
`;

/** Systemd uninstall: disables and removes the unit and the token file. Args: install dir, machine id, unit name. */
export const SYSTEMD_UNINSTALL_SCRIPT = PRELUDE + AS_ROOT + `
id=$2
unit=$3
rm -f "$state/daemon-$id.env"
if [ ! -f "/etc/systemd/system/$unit" ]; then echo "absent"; exit 0; fi
as_root systemctl disable --now "$unit" || { echo "systemctl disable --now $unit failed" >&2; exit 5; }
as_root rm -f "/etc/systemd/system/$unit" || exit 4
as_root systemctl daemon-reload || exit 5
echo "removed"
`;

/** Systemd restart, if the unit is installed; prints `restarted` or `absent`. Args: install dir, machine id, unit name. */
export const SYSTEMD_RESTART_SCRIPT = PRELUDE + `
unit=$3
if [ ! -d /run/systemd/system ] || [ ! -f "/etc/systemd/system/$unit" ]; then echo "absent"; exit 0; fi
if [ "$(id -u)" = 0 ]; then systemctl restart "$unit"; else sudo -n systemctl restart "$unit"; fi || exit 5
echo "restarted"
`;

/**
 * Doctor: runs the installed dora's `doctor --format json` there (the
 * coordinator's token on the first stdin line, for its coordinator check).
 * Args: install dir, doctor flags…. Exit 7: dora is not installed.
 */
export const DOCTOR_SCRIPT = PRELUDE + `
shift
IFS= read -r DORA_AUTH_TOKEN || DORA_AUTH_TOKEN=""
if [ -n "$DORA_AUTH_TOKEN" ]; then export DORA_AUTH_TOKEN; else unset DORA_AUTH_TOKEN; fi
[ -x "$dir/dora" ] || { echo "dora is not installed in $dir" >&2; exit 7; }
cd "$HOME" || exit 1
exec "$dir/dora" doctor --format json "$@" </dev/null
`;
