/**
 * Running POSIX shell scripts on a machine with the system `ssh` client:
 * batch mode (never a password prompt), a connect timeout, new host keys
 * accepted and remembered, and otherwise the user's own keys and
 * `~/.ssh/config` (`DORA_SSH_CONFIG` names another config file).
 *
 * @module
 */
import type { MachineConfig } from "./config.ts";
import { MachineError } from "./errors.ts";

/** Seconds `ssh` waits for a connection before giving up. */
export const SSH_CONNECT_TIMEOUT_S = 10;

/** The machine could not be reached or logged into (ssh exit code 255). */
export class SshError extends MachineError {
  constructor(machine: MachineConfig, reason: string) {
    super(
      machine.id,
      `cannot reach machine "${machine.id}" over SSH (${
        sshDestination(machine)
      }): ${reason}`,
    );
    this.name = "SshError";
  }
}

/** What a finished remote script printed. */
export interface RemoteResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `user@host:port` as people write it (port only when set). */
export function sshDestination(m: MachineConfig): string {
  const host = m.host.includes(":") ? `[${m.host}]` : m.host;
  return `${m.user ? `${m.user}@` : ""}${host}${m.port ? `:${m.port}` : ""}`;
}

/** Options every `ssh`/`scp` call gets. */
export function sshOptions(): string[] {
  const args = [
    "-o",
    "BatchMode=yes",
    "-o",
    `ConnectTimeout=${SSH_CONNECT_TIMEOUT_S}`,
    "-o",
    "StrictHostKeyChecking=accept-new",
    "-o",
    "ServerAliveInterval=10",
    "-o",
    "LogLevel=ERROR",
  ];
  const config = Deno.env.get("DORA_SSH_CONFIG");
  if (config) args.unshift("-F", config);
  return args;
}

/**
 * The `ssh` argument list that runs `script` with `sh` on `m`, passing
 * `args` as `$1…` (quoted: the remote login shell sees one literal string).
 */
export function sshArgs(
  m: MachineConfig,
  script: string,
  args: readonly string[] = [],
): string[] {
  const command = ["exec", "sh", "-c", script, "sh", ...args].map(shQuote)
    .join(" ");
  return [
    ...sshOptions(),
    ...(m.port ? ["-p", String(m.port)] : []),
    ...(m.user ? ["-l", m.user] : []),
    "--",
    m.host,
    command,
  ];
}

/**
 * Quotes `word` for a POSIX shell.
 *
 * @example
 * ```ts
 * shQuote("it's"); // "'it'\\''s'"
 * ```
 */
export function shQuote(word: string): string {
  if (/^[A-Za-z0-9_.,:\/=@%+-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs `script` on `m` and collects its output. `stdin` is written to the
 * script's standard input (then closed).
 *
 * @throws {SshError} when ssh itself fails (unreachable, refused key, …).
 */
export async function runRemote(
  m: MachineConfig,
  script: string,
  opts: {
    args?: readonly string[];
    stdin?: Uint8Array | ReadableStream<Uint8Array> | string;
  } = {},
): Promise<RemoteResult> {
  const child = new Deno.Command("ssh", {
    args: sshArgs(m, script, opts.args),
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const feeding = feed(child, opts.stdin);
  const [out] = await Promise.all([child.output(), feeding]);
  const result = {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
  if (result.code === 255) throw new SshError(m, sshReason(result.stderr));
  return result;
}

async function feed(
  child: Deno.ChildProcess,
  stdin: Uint8Array | ReadableStream<Uint8Array> | string | undefined,
): Promise<void> {
  if (stdin === undefined) return;
  try {
    if (stdin instanceof ReadableStream) {
      await stdin.pipeTo(child.stdin);
      return;
    }
    const writer = child.stdin.getWriter();
    await writer.write(
      typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin,
    );
    await writer.close();
  } catch {
    // ssh exited early; its exit status and stderr say why
  }
}

/**
 * The line of ssh's stderr that explains a failure (the last one that is
 * not a host-key notice), or a generic reason.
 */
export function sshReason(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) =>
    l && !l.startsWith("Warning: Permanently added")
  );
  const line = lines.at(-1);
  if (!line) return "ssh exited with status 255";
  return line.replace(/^ssh: /, "");
}
