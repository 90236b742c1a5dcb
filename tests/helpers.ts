/**
 * Shared helpers for end-to-end tests: run the real `dora` program.
 *
 * @module
 */
import { doraCommand } from "../src/cli/dora_command.ts";

export interface RunResult {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** Runs `dora <args>` to completion and captures its output. */
export async function runDora(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<RunResult> {
  const { cmd, args: lead } = doraCommand();
  const child = new Deno.Command(cmd, {
    args: [...lead, ...args],
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    signal: out.signal,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** The repository root. */
export const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
