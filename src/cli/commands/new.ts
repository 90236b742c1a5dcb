/**
 * `dora new <NAME> [--kind dataflow|node] [--lang …] [--path DIR]`: creates a
 * dataflow project (YAML, nodes, README, a test) or a single node from a
 * template (src/templates).
 *
 * @module
 */
import { type Command, Option } from "commander";
import { CliError, UsageError } from "../errors.ts";
import { sourceRoot } from "../../dora_command.ts";

const KINDS = ["dataflow", "node"] as const;
const LANGS = ["rust", "python", "typescript", "c", "cxx"] as const;

/** Registers `dora new`. */
export function registerNew(program: Command): void {
  program
    .command("new")
    .description("create a new dataflow project or node from a template")
    .argument("<NAME>", "project or node name (letters, digits, - and _)")
    .addOption(
      new Option("--kind <KIND>", "what to create").choices(KINDS).default(
        "dataflow" as const,
      ),
    )
    .addOption(
      new Option("--lang <LANG>", "language of the nodes").choices(LANGS)
        .default("rust" as const),
    )
    .option("--path <DIR>", "folder to create (default: ./NAME)")
    .action(async (name, opts) => {
      const { createProject, TemplateError } = await import(
        "../../templates/mod.ts"
      );
      const dir = opts.path ?? name;
      let files: string[];
      try {
        files = createProject({
          name,
          kind: opts.kind,
          lang: opts.lang,
          dir: dir.startsWith("/") ? dir : `${Deno.cwd()}/${dir}`,
          root: sourceRoot(),
        });
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        if (err.problem === "name") throw new UsageError(err.message);
        throw new CliError(err.message, {
          details: err.hint ? [err.hint] : [],
        });
      }
      // What dora itself wrote may build without asking.
      const { analyze } = await import("../../descriptor/mod.ts");
      const { trustBuild } = await import("../../build/mod.ts");
      const root = dir.startsWith("/") ? dir : `${Deno.cwd()}/${dir}`;
      for (const yml of ["dataflow.yml", "tests/dataflow.yml"]) {
        if (!files.includes(yml)) continue;
        const { dataflow } = await analyze(`${root}/${yml}`);
        if (dataflow) await trustBuild(dataflow);
      }
      const what = opts.kind === "dataflow" ? "dataflow project" : "node";
      console.log(`created ${opts.lang} ${what} ${name} in ${dir}/:`);
      for (const f of files) console.log(`  ${f}`);
      console.log();
      console.log(nextSteps(opts.kind, opts.lang, dir));
    });
}

function nextSteps(kind: string, lang: string, dir: string): string {
  const test = lang === "python"
    ? "python3 -m pytest tests"
    : lang === "typescript"
    ? "deno test -A"
    : lang === "rust"
    ? "cargo test"
    : "sh test.sh";
  const yml = kind === "dataflow" ? "dataflow.yml" : "tests/dataflow.yml";
  return `next: cd ${dir} && dora run ${yml}   (test: ${test})`;
}
