/**
 * The system toolchains the compiled templates need, and a check that names
 * what to install when one is missing.
 *
 * @module
 */
import { TemplateError } from "./template_error.ts";

/** Languages `dora new` has templates for. */
export type TemplateLang = "python" | "typescript" | "rust" | "c" | "cxx";

const NEEDS: Record<TemplateLang, { tools: string[][]; install: string }> = {
  python: { tools: [["python3"]], install: "install Python 3 with pyarrow" },
  typescript: { tools: [], install: "" },
  rust: {
    tools: [["cargo"]],
    install: "install Rust (https://rustup.rs) so that `cargo` is on PATH",
  },
  c: {
    tools: [["cc", "gcc", "clang"]],
    install: "install a C compiler (e.g. `apt-get install gcc`)",
  },
  cxx: {
    tools: [["c++", "g++", "clang++"]],
    install: "install a C++ compiler (e.g. `apt-get install g++`)",
  },
};

function onPath(tool: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    try {
      const st = Deno.statSync(`${dir}/${tool}`);
      if (st.isFile && ((st.mode ?? 0o755) & 0o111) !== 0) {
        return `${dir}/${tool}`;
      }
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/**
 * The tools (one of each alternative group) that `lang`'s projects build with.
 *
 * @throws {TemplateError} (`problem: "toolchain"`) naming what to install.
 */
export function requireToolchain(lang: TemplateLang): string[] {
  const found: string[] = [];
  for (const group of NEEDS[lang].tools) {
    const hit = group.find((t) => onPath(t));
    if (!hit) {
      throw new TemplateError(
        "toolchain",
        `a ${lang} project needs ${
          group.map((t) => `"${t}"`).join(" or ")
        }, which is not on PATH`,
        NEEDS[lang].install,
      );
    }
    found.push(hit);
  }
  return found;
}
