/**
 * `dora types generate` for TypeScript: declarations of every node's typed
 * inputs and outputs (for `TypedNode` of the node API), the Arrow types of
 * the named struct types, and a typed `initNode`.
 *
 * @module
 */
import type { DataTypeSpec } from "../../message/layout_types.ts";
import type { CodegenModel, NodeModel, PortModel } from "./codegen_model.ts";

const PRIMITIVES: Record<string, string> = {
  null: "Null",
  bool: "Bool",
  i8: "Int8",
  i16: "Int16",
  i32: "Int32",
  i64: "Int64",
  u8: "Uint8",
  u16: "Uint16",
  u32: "Uint32",
  u64: "Uint64",
  f16: "Float16",
  f32: "Float32",
  f64: "Float64",
  utf8: "Utf8",
  large_utf8: "LargeUtf8",
  binary: "Binary",
  large_binary: "LargeBinary",
  date32: "DateDay",
  date64: "DateMillisecond",
};

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function key(name: string): string {
  return IDENT.test(name) ? name : JSON.stringify(name);
}

/** Writes the TypeScript module for `model`; `source` names the dataflow in comments. */
export function generateTypeScript(
  model: CodegenModel,
  source: string,
): string {
  const names = new Map(model.types.map((t) => [JSON.stringify(t.dt), t.name]));
  const type = (dt: DataTypeSpec, top = false): string => {
    const named = names.get(JSON.stringify(dt));
    if (named && !top) return named;
    if (typeof dt === "string") return `arrow.${PRIMITIVES[dt] ?? "Null"}`;
    if ("large_list" in dt) return `arrow.LargeList<${type(dt.large_list.dt)}>`;
    if ("list" in dt) return `arrow.List<${type(dt.list.dt)}>`;
    if ("fixed_list" in dt) {
      return `arrow.FixedSizeList<${type(dt.fixed_list.dt)}>`;
    }
    if ("struct" in dt) {
      return `arrow.Struct<{ ${
        dt.struct.map((f) => `${key(f.name)}: ${type(f.dt)}`).join("; ")
      } }>`;
    }
    if ("fixed_binary" in dt) return "arrow.FixedSizeBinary";
    return "arrow.Timestamp";
  };
  const value = (dt: DataTypeSpec, top = false): string => {
    const named = names.get(JSON.stringify(dt));
    if (named && !top) return named;
    if (typeof dt === "string") {
      return `new arrow.${PRIMITIVES[dt] ?? "Null"}()`;
    }
    const field = (f: { name: string; dt: DataTypeSpec; nullable: boolean }) =>
      `new arrow.Field(${JSON.stringify(f.name)}, ${
        value(f.dt)
      }, ${f.nullable})`;
    if ("large_list" in dt) {
      return `new arrow.LargeList(${field(dt.large_list)})`;
    }
    if ("list" in dt) return `new arrow.List(${field(dt.list)})`;
    if ("fixed_list" in dt) {
      return `new arrow.FixedSizeList(${dt.size}, ${field(dt.fixed_list)})`;
    }
    if ("struct" in dt) {
      return `new arrow.Struct([${dt.struct.map(field).join(", ")}])`;
    }
    if ("fixed_binary" in dt) {
      return `new arrow.FixedSizeBinary(${dt.fixed_binary})`;
    }
    return "new arrow.Null()";
  };

  const out: string[] = [
    `// Typed inputs and outputs of ${source}, written by \`dora types generate\`.`,
    "// Do not edit: regenerate after changing the dataflow or its types/ folder.",
    "// deno-fmt-ignore-file",
    "// deno-lint-ignore-file",
    'import * as arrow from "apache-arrow";',
    'import * as dora from "dora";',
    "",
  ];
  for (const t of model.types) {
    out.push(
      `/** \`${t.urn}\`${t.description ? `: ${t.description}` : ""}. */`,
      `export type ${t.name} = ${type(t.dt, true)};`,
      `/** The Arrow type of \`${t.urn}\`: build values with \`dora.vectorOf(${t.name}, [...])\`. */`,
      `export const ${t.name}: ${t.name} = ${value(t.dt, true)};`,
      "",
    );
  }
  out.push(
    `/** The ports of every node of ${source}. */`,
    "export type Dataflow = {",
  );
  for (const node of model.nodes) out.push(...nodeLines(node, type));
  out.push(
    "};",
    "",
    "/**",
    " * Starts this process as node `id` with typed inputs and outputs:",
    ` * \`const node = await initNode(${
      JSON.stringify(model.nodes[0]?.id ?? "my-node")
    });\``,
    " */",
    "export const initNode = dora.typedInit<Dataflow>();",
    "",
  );
  const aliases = new Set(model.types.map((t) => t.name));
  for (const node of model.nodes) {
    let alias = `${pascal(node.id)}Node`;
    for (let i = 2; aliases.has(alias); i++) {
      alias = `${pascal(node.id)}Node${i}`;
    }
    aliases.add(alias);
    out.push(
      `/** Node \`${node.id}\` with typed ports. */`,
      `export type ${alias} = dora.TypedNode<Dataflow[${
        JSON.stringify(node.id)
      }]>;`,
    );
  }
  return out.join("\n") + "\n";
}

function nodeLines(
  node: NodeModel,
  type: (dt: DataTypeSpec) => string,
): string[] {
  const port = (p: PortModel) => {
    const t = p.kind === "timer"
      ? "arrow.Null"
      : p.dt !== undefined
      ? type(p.dt)
      : "dora.AnyType";
    const doc = p.kind === "timer"
      ? "a timer: an empty Null array per tick"
      : p.urn
      ? `\`${p.urn}\`${
        p.inferredFrom ? ` (inferred from ${p.inferredFrom})` : ""
      }`
      : "not typed";
    return `      /** ${doc} */\n      ${key(p.id)}: ${t};`;
  };
  const metadata = Object.entries(node.metadata).map(([o, keys]) =>
    `${key(o)}: ${keys.map((k) => JSON.stringify(k)).join(" | ")}`
  );
  const block = (name: string, ports: PortModel[]) =>
    ports.length ? [`    ${name}: {`, ...ports.map(port), "    };"] : [
      `    ${name}: {};`,
    ];
  return [
    `  /** \`${node.id}\`${node.path ? ` (${node.path})` : ""}${
      node.description ? `: ${node.description}` : ""
    } */`,
    `  ${JSON.stringify(node.id)}: {`,
    ...block("inputs", node.inputs),
    ...block("outputs", node.outputs),
    `    metadata: {${metadata.length ? ` ${metadata.join("; ")} ` : ""}};`,
    "  };",
  ];
}

function pascal(text: string): string {
  return text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) =>
    w[0]!.toUpperCase() + w.slice(1)
  ).join("") || "Node";
}
