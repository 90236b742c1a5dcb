/** Runs a short program for a check; never throws. */
export async function runQuiet(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      cwd: opts.cwd,
      env: opts.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const d = new TextDecoder();
    return {
      code: out.code,
      stdout: d.decode(out.stdout).trim(),
      stderr: d.decode(out.stderr).trim(),
    };
  } catch (err) {
    return { code: -1, stdout: "", stderr: (err as Error).message };
  }
}
