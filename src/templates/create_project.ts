/**
 * `dora new`: copies a template folder (`files/<lang>/<kind>/`) into a new
 * project folder, putting the name in file names and contents. The project is
 * written to a temporary sibling folder and renamed into place at the end, so
 * a failure leaves nothing behind.
 *
 * Placeholders (three underscores each side, so Python's `__name__` stays):
 * `___name___` (as given), `___name_snake___` (`-` → `_`), `___dora_root___`
 * (the dora install), `___dora_ts_api___` and `___apache_arrow___` (what
 * `dora` and `apache-arrow` resolve to for TypeScript nodes).
 *
 * @module
 */
import { importMap } from "../runtime/spawn/node_config.ts";
import { checkProjectName, snakeName } from "./project_name.ts";
import { TemplateError } from "./template_error.ts";
import { requireToolchain, type TemplateLang } from "./toolchains.ts";

/** What `dora new` makes. */
export type TemplateKind = "dataflow" | "node";

/** Options of {@link createProject}. */
export interface CreateProjectOptions {
  name: string;
  kind: TemplateKind;
  lang: TemplateLang;
  /** The folder to create (must not exist, or be empty). */
  dir: string;
  /** The dora install root (holds `src/templates/files` and `nodes/`). */
  root: string;
}

/** The files written, relative to the project folder, sorted. */
export type CreatedFiles = string[];

function isEmptyOrMissing(dir: string): boolean {
  try {
    for (const _ of Deno.readDirSync(dir)) return false;
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return true;
    throw err;
  }
}

function* walk(dir: string, prefix = ""): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) yield* walk(`${dir}/${e.name}`, rel);
    else if (e.isFile) yield rel;
  }
}

/**
 * Creates the project and returns the files it wrote.
 *
 * @throws {TemplateError} for a bad name, an existing non-empty folder, a
 * missing toolchain or a missing template; nothing is written then.
 */
export function createProject(opts: CreateProjectOptions): CreatedFiles {
  checkProjectName(opts.kind, opts.name);
  requireToolchain(opts.lang);
  const source = `${opts.root}/src/templates/files/${opts.lang}/${opts.kind}`;
  try {
    Deno.statSync(source);
  } catch {
    throw new TemplateError(
      "template",
      `no ${opts.lang} ${opts.kind} template in this dora install (${source})`,
    );
  }
  const dir = opts.dir.replace(/\/$/, "");
  if (!isEmptyOrMissing(dir)) {
    throw new TemplateError(
      "exists",
      `${dir} already exists and is not empty`,
      "choose another name, or pass --path with a new folder",
    );
  }
  const map = JSON.parse(importMap(opts.root)).imports as Record<
    string,
    string
  >;
  const vars: Record<string, string> = {
    ___name_snake___: snakeName(opts.name),
    ___name___: opts.name,
    ___dora_root___: opts.root,
    ___dora_ts_api___: map["dora"]!,
    ___apache_arrow___: map["apache-arrow"]!,
  };
  const fill = (text: string) =>
    text.replace(
      /___(name_snake|name|dora_root|dora_ts_api|apache_arrow)___/g,
      (m) => vars[m]!,
    );
  const parent = dir.includes("/")
    ? dir.slice(0, dir.lastIndexOf("/")) || "/"
    : ".";
  Deno.mkdirSync(parent, { recursive: true });
  const partial = Deno.makeTempDirSync({ dir: parent, prefix: ".dora-new-" });
  try {
    const written: string[] = [];
    for (const rel of walk(source)) {
      const target = fill(rel);
      const bytes = Deno.readFileSync(`${source}/${rel}`);
      const mode = Deno.statSync(`${source}/${rel}`).mode ?? 0o644;
      Deno.mkdirSync(`${partial}/${target}`.replace(/\/[^/]*$/, ""), {
        recursive: true,
      });
      Deno.writeTextFileSync(
        `${partial}/${target}`,
        fill(new TextDecoder().decode(bytes)),
        { mode: mode & 0o777 },
      );
      written.push(target);
    }
    try {
      Deno.removeSync(dir); // an empty folder the user made for it
    } catch {
      // it does not exist
    }
    Deno.renameSync(partial, dir);
    return written.sort();
  } finally {
    try {
      Deno.removeSync(partial, { recursive: true });
    } catch {
      // renamed into place
    }
  }
}
