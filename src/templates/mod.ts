/**
 * Project and node templates for `dora new`: a dataflow (YAML, nodes, README,
 * a test) or a single node, in Python, TypeScript, Rust, C or C++.
 *
 * @example
 * ```ts
 * import { createProject } from "./mod.ts";
 * const files = createProject({
 *   name: "my-robot",
 *   kind: "dataflow",
 *   lang: "python",
 *   dir: "my-robot",
 *   root: "/path/to/dora",
 * });
 * console.log(files); // ["README.md", "dataflow.yml", …]
 * ```
 *
 * @module
 */
export {
  type CreatedFiles,
  createProject,
  type CreateProjectOptions,
  type TemplateKind,
} from "./create_project.ts";
export { checkProjectName, snakeName } from "./project_name.ts";
export { TemplateError, type TemplateProblem } from "./template_error.ts";
export { requireToolchain, type TemplateLang } from "./toolchains.ts";
