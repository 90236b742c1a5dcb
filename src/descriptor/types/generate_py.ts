/**
 * `dora types generate` for Python: a stub (`.pyi`, or a `.py` module that
 * also builds the pyarrow types) with one Protocol per node, so a type
 * checker (mypy, pyright) checks `node.send_output("pose", data)` and
 * narrows `event["value"]` by `event["id"]`.
 *
 * @module
 */
import type { DataTypeSpec } from "../../message/layout_types.ts";
import type { CodegenModel, NodeModel, PortModel } from "./codegen_model.ts";

/** pyarrow array class of each primitive wire type. */
const ARRAYS: Record<string, string> = {
  null: "pa.NullArray",
  bool: "pa.BooleanArray",
  i8: "pa.Int8Array",
  i16: "pa.Int16Array",
  i32: "pa.Int32Array",
  i64: "pa.Int64Array",
  u8: "pa.UInt8Array",
  u16: "pa.UInt16Array",
  u32: "pa.UInt32Array",
  u64: "pa.UInt64Array",
  f16: "pa.HalfFloatArray",
  f32: "pa.FloatArray",
  f64: "pa.DoubleArray",
  utf8: "pa.StringArray",
  large_utf8: "pa.LargeStringArray",
  binary: "pa.BinaryArray",
  large_binary: "pa.LargeBinaryArray",
  date32: "pa.Date32Array",
  date64: "pa.Date64Array",
};

/** pyarrow type factory of each primitive wire type (for `.py` modules). */
const FACTORIES: Record<string, string> = {
  null: "pa.null()",
  bool: "pa.bool_()",
  i8: "pa.int8()",
  i16: "pa.int16()",
  i32: "pa.int32()",
  i64: "pa.int64()",
  u8: "pa.uint8()",
  u16: "pa.uint16()",
  u32: "pa.uint32()",
  u64: "pa.uint64()",
  f16: "pa.float16()",
  f32: "pa.float32()",
  f64: "pa.float64()",
  utf8: "pa.string()",
  large_utf8: "pa.large_string()",
  binary: "pa.binary()",
  large_binary: "pa.large_binary()",
  date32: "pa.date32()",
  date64: "pa.date64()",
};

/** Plain values `send_output` converts to each wire type. */
const PLAIN: Record<string, string> = {
  f64: "float | list[float]",
  i64: "int | list[int]",
  bool: "bool | list[bool]",
  utf8: "str | list[str]",
  large_utf8: "str | list[str]",
  u8: "bytes | bytearray | memoryview",
};

/** The array class of a received value of type `dt`. */
function arrayClass(dt: DataTypeSpec): string {
  if (typeof dt === "string") return ARRAYS[dt] ?? "pa.Array[Any]";
  if ("struct" in dt) return "pa.StructArray";
  if ("large_list" in dt) return "pa.LargeListArray[Any]";
  if ("list" in dt) return "pa.ListArray[Any]";
  if ("fixed_list" in dt) return "pa.FixedSizeListArray[Any]";
  if ("fixed_binary" in dt) return "pa.FixedSizeBinaryArray";
  return "pa.TimestampArray[Any]";
}

/** What `send_output` accepts for an output of type `dt`. */
function sendType(dt: DataTypeSpec | undefined): string {
  if (dt === undefined) return "Any";
  if (typeof dt === "string") {
    const arrays = dt === "large_binary" || dt === "binary"
      ? "pa.LargeBinaryArray | pa.BinaryArray | pa.UInt8Array | bytes | bytearray | memoryview"
      : dt === "utf8" || dt === "large_utf8"
      ? "pa.StringArray | pa.LargeStringArray"
      : ARRAYS[dt] ?? "pa.Array[Any]";
    return [arrays, PLAIN[dt]].filter(Boolean).join(" | ");
  }
  if ("struct" in dt) {
    return "pa.StructArray | pa.Array[pa.Scalar[pa.StructType]]";
  }
  if ("large_list" in dt || "list" in dt) {
    return "pa.LargeListArray[Any] | pa.ListArray[Any] | pa.Array[pa.Scalar[pa.LargeListType[Any]]] | pa.Array[pa.Scalar[pa.ListType[Any]]]";
  }
  return arrayClass(dt);
}

function factory(dt: DataTypeSpec, names: Map<string, string>): string {
  const named = names.get(JSON.stringify(dt));
  if (named) return named;
  if (typeof dt === "string") return FACTORIES[dt] ?? "pa.null()";
  const field = (f: { name: string; dt: DataTypeSpec; nullable: boolean }) =>
    `pa.field(${JSON.stringify(f.name)}, ${factory(f.dt, names)}, nullable=${
      f.nullable ? "True" : "False"
    })`;
  if ("struct" in dt) return `pa.struct([${dt.struct.map(field).join(", ")}])`;
  if ("large_list" in dt) return `pa.large_list(${field(dt.large_list)})`;
  if ("list" in dt) return `pa.list_(${field(dt.list)})`;
  if ("fixed_list" in dt) {
    return `pa.list_(${field(dt.fixed_list)}, ${dt.size})`;
  }
  if ("fixed_binary" in dt) return `pa.binary(${dt.fixed_binary})`;
  return `pa.timestamp(${JSON.stringify(dt.ts)}, tz=${
    dt.tz ? JSON.stringify(dt.tz) : "None"
  })`;
}

function pascal(text: string): string {
  return text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) =>
    w[0]!.toUpperCase() + w.slice(1)
  ).join("") || "Port";
}

/**
 * Writes the Python stub for `model`. With `module`, the text is a `.py`
 * module: the struct types are real pyarrow types and `init_node` exists.
 */
export function generatePython(
  model: CodegenModel,
  source: string,
  options: { module?: boolean } = {},
): string {
  const module = options.module === true;
  const names = new Map<string, string>();
  const out: string[] = [
    `# Typed inputs and outputs of ${source}, written by \`dora types generate\`.`,
    "# Do not edit: regenerate after changing the dataflow or its types/ folder.",
    "#",
    "# With a type checker (mypy, pyright; pyarrow-stubs for pyarrow's types):",
    "#",
    `#     from dora import Node`,
    module
      ? `#     from ${"<this module>"} import ${
        pascal(model.nodes[0]?.id ?? "my-node")
      }Node`
      : "#     from typing import TYPE_CHECKING",
    ...(module ? [] : [
      "#     if TYPE_CHECKING:",
      `#         from <this stub> import ${
        pascal(model.nodes[0]?.id ?? "my-node")
      }Node`,
    ]),
    `#     node: "${pascal(model.nodes[0]?.id ?? "my-node")}Node" = Node()`,
    "from __future__ import annotations",
    "",
    "from typing import Any, Iterator, Literal, Optional, Protocol, TypedDict, Union, overload",
    "",
    "import pyarrow as pa",
    "",
  ];
  for (const t of model.types) {
    const text = factory(t.dt, names);
    const cls = typeof t.dt !== "string" && "struct" in t.dt
      ? "pa.StructType"
      : typeof t.dt !== "string" && "large_list" in t.dt
      ? "pa.LargeListType[Any]"
      : "pa.DataType";
    out.push(
      `# \`${t.urn}\`${t.description ? `: ${t.description}` : ""}.`,
      module ? `${t.name}: ${cls} = ${text}` : `${t.name}: ${cls}`,
      "",
    );
    names.set(JSON.stringify(t.dt), t.name);
  }
  const classes = new Set<string>();
  const unique = (name: string) => {
    let n = name;
    for (let i = 2; classes.has(n); i++) n = `${name}${i}`;
    classes.add(n);
    return n;
  };
  for (const node of model.nodes) {
    out.push(...nodeLines(node, unique, module), "");
  }
  if (module) {
    const ids = model.nodes.map((n) => JSON.stringify(n.id)).join(", ");
    out.push(
      "",
      `def init_node(node_id: Literal[${ids}]) -> Any:`,
      '    """Starts this process as node `node_id`; fails when it runs as another node."""',
      "    from dora import Node",
      "",
      "    node = Node()",
      "    if node.node_id() != node_id:",
      "        raise RuntimeError(",
      '            f"this script runs as node {node.node_id()!r}, but asks for the types of node {node_id!r}"',
      "        )",
      "    return node",
      "",
    );
  }
  return out.join("\n");
}

function nodeLines(
  node: NodeModel,
  unique: (name: string) => string,
  module: boolean,
): string[] {
  const base = pascal(node.id);
  const lines: string[] = [
    `# Node \`${node.id}\`${node.path ? ` (${node.path})` : ""}.`,
  ];
  const events: string[] = [];
  for (const input of node.inputs) {
    const cls = unique(`${base}Input${pascal(input.id)}`);
    events.push(cls);
    lines.push(
      `class ${cls}(TypedDict):`,
      `    """${describe(input)}"""`,
      `    type: Literal["INPUT"]`,
      `    id: Literal[${JSON.stringify(input.id)}]`,
      `    value: ${value(input)}`,
      "    metadata: dict[str, Any]",
      `    kind: Literal["dora"]`,
      "",
    );
  }
  const other = unique(`${base}OtherEvent`);
  lines.push(
    `class ${other}(TypedDict, total=False):`,
    `    """Every event but INPUT."""`,
    `    type: Literal["INPUT_CLOSED", "INPUT_RECOVERED", "NODE_RESTARTED", "NODE_FAILED", "STOP", "ERROR", "PARAM_UPDATE", "PARAM_DELETED"]`,
    "    id: Any",
    "    value: Any",
    "    error: str",
    "    key: str",
    `    kind: Literal["dora"]`,
    "",
  );
  events.push(other);
  const event = unique(`${base}Event`);
  lines.push(`${event} = Union[${events.join(", ")}]`, "", "");
  const cls = unique(`${base}Node`);
  lines.push(
    `class ${cls}(Protocol):`,
    `    """Node \`${node.id}\` with typed inputs and outputs."""`,
  );
  const outputs = node.outputs;
  for (const o of outputs) {
    const required = node.metadata[o.id]?.length;
    if (outputs.length > 1) lines.push("    @overload");
    lines.push(
      `    def send_output(self, output_id: Literal[${
        JSON.stringify(o.id)
      }], data: ${sendType(o.dt)}${
        required
          ? `, metadata: dict[str, Any]) -> None: ...  # must carry ${
            node.metadata[o.id]!.join(", ")
          }`
          : ", metadata: Optional[dict[str, Any]] = None) -> None: ..."
      }`,
    );
  }
  // A stub declares overloads only; a module needs the implementation.
  if (outputs.length > 1 && module) {
    lines.push(
      "    def send_output(self, output_id: Any, data: Any = None, metadata: Optional[dict[str, Any]] = None) -> None: ...",
    );
  }
  const outIds = outputs.map((o) => JSON.stringify(o.id)).join(", ");
  lines.push(
    `    def close_outputs(self, output_ids: list[${
      outIds ? `Literal[${outIds}]` : "str"
    }]) -> None: ...`,
    `    def __iter__(self) -> Iterator[${event}]: ...`,
    `    def __next__(self) -> ${event}: ...`,
    `    def next(self, timeout: Optional[float] = None) -> Optional[${event}]: ...`,
    `    def try_recv(self) -> Optional[${event}]: ...`,
    `    def drain(self) -> list[${event}]: ...`,
    "    def node_id(self) -> str: ...",
    "    def dataflow_id(self) -> str: ...",
  );
  return lines;
}

function value(p: PortModel): string {
  if (p.kind === "timer") return "pa.NullArray";
  return p.dt === undefined ? "pa.Array[Any]" : arrayClass(p.dt);
}

function describe(p: PortModel): string {
  if (p.kind === "timer") {
    return `Input ${p.id}: a timer tick (an empty array).`;
  }
  if (!p.urn) return `Input ${p.id}: not typed.`;
  return `Input ${p.id}: ${p.urn}${
    p.inferredFrom ? ` (inferred from ${p.inferredFrom})` : ""
  }.`;
}
