/**
 * Runs one program and hands every line it prints (stdout and stderr merged)
 * to a callback, keeping the last lines for error messages.
 *
 * @module
 */

/** How a program run ended. */
export interface LinesResult {
  /** Exit code, or undefined when the program could not be started. */
  code: number;
  /** The last lines it printed (at most {@link TAIL_LINES}). */
  tail: string[];
}

/** How many of a failed step's last lines an error shows. */
export const TAIL_LINES = 10;

/**
 * Runs `cmd args` in `cwd` with `env` added to the inherited environment.
 *
 * @throws {Deno.errors.NotFound} when `cmd` does not exist.
 */
export async function runLines(
  cmd: string,
  args: string[],
  opts: {
    cwd: string;
    env?: Record<string, string>;
    onLine: (line: string) => void;
  },
): Promise<LinesResult> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: opts.cwd,
    env: opts.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const tail: string[] = [];
  const take = (line: string) => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    opts.onLine(line);
  };
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const l of lines) take(l.replace(/\r$/, ""));
    }
    if (rest) take(rest);
  };
  await Promise.all([pump(child.stdout), pump(child.stderr)]);
  return { code: (await child.status).code, tail };
}
