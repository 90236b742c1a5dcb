/**
 * Shared-library operators through Deno FFI, with the original's C operator
 * ABI (nodes/api/c/operator): `dora_init_operator`, `dora_on_event` (a
 * `RawEvent`, the send-output callback, the context) and
 * `dora_drop_operator`. Input data reaches C as the bytes of the Arrow
 * values (a `uint8` array for the original's senders); C outputs become
 * `uint8` arrays.
 *
 * @module
 */
import type { Vector } from "apache-arrow";
import type { Event, SendOutput } from "../../api/ts/mod.ts";
import { type OperatorHost, OperatorLoadError } from "./operator_host.ts";

const SYMBOLS = {
  dora_init_operator: {
    parameters: [],
    result: { struct: ["pointer", "pointer"] },
  },
  dora_drop_operator: {
    parameters: ["pointer"],
    result: { struct: ["pointer"] },
  },
  dora_on_event: {
    parameters: ["pointer", "pointer", "pointer"],
    result: { struct: ["pointer", "u8"] },
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** `RawEvent`: input*, input_closed Vec, stop bool, error Vec. */
const RAW_EVENT = { size: 64, input: 0, inputClosed: 8, stop: 32, error: 40 };
/** `Input` (operator_api.c): id*, data*, len. */
const INPUT_SIZE = 24;
/** `SendOutput`: env, call, release, retain. */
const SEND_OUTPUT_SIZE = 32;

type Lib = Deno.DynamicLibrary<typeof SYMBOLS>;

/** `DoraResult call(void *env, Output output)`. */
const OUTPUT_CALLBACK = {
  parameters: ["pointer", { struct: ["pointer", "pointer", "usize"] }],
  result: { struct: ["pointer"] },
} as const satisfies Deno.UnsafeCallbackDefinition;
/** `void release(void *env)` / `retain`: the runtime owns the callable. */
const NOOP_CALLBACK = {
  parameters: ["pointer"],
  result: "void",
} as const satisfies Deno.UnsafeCallbackDefinition;

/** Opens the library of operator `name`; a missing ABI symbol is named. */
export function loadSharedLibraryOperator(
  name: string,
  file: string,
): OperatorHost {
  let lib: Lib;
  try {
    lib = Deno.dlopen(file, SYMBOLS);
  } catch (e) {
    throw new OperatorLoadError(describeOpenError(name, file, e));
  }
  return new SharedLibraryOperator(name, lib);
}

/** Says which symbol is missing (checked one at a time), or why it cannot load. */
function describeOpenError(name: string, file: string, e: unknown): string {
  try {
    Deno.dlopen(file, {}).close();
  } catch (open) {
    return `${name}: cannot load shared library ${file}: ${
      open instanceof Error ? open.message : open
    }`;
  }
  for (const symbol of Object.keys(SYMBOLS) as (keyof typeof SYMBOLS)[]) {
    try {
      Deno.dlopen(file, { [symbol]: SYMBOLS[symbol] }).close();
    } catch {
      return `${name}: shared library ${file} has no symbol "${symbol}" (an operator exports dora_init_operator, dora_on_event and dora_drop_operator, see nodes/api/c/operator/operator_api.h)`;
    }
  }
  return `${name}: cannot load shared library ${file}: ${
    e instanceof Error ? e.message : e
  }`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class SharedLibraryOperator implements OperatorHost {
  #name: string;
  #lib: Lib;
  #context: Deno.PointerValue = null;
  #send: SendOutput | null = null;
  /** Error buffers handed to C, alive until the next event. */
  #keep: Uint8Array[] = [];
  #callback: Deno.UnsafeCallback<typeof OUTPUT_CALLBACK>;
  #noop: Deno.UnsafeCallback<typeof NOOP_CALLBACK>;
  #sendOutput = new BigUint64Array(SEND_OUTPUT_SIZE / 8);
  #fflush: (() => void) | null;

  constructor(name: string, lib: Lib) {
    this.#name = name;
    this.#lib = lib;
    this.#callback = new Deno.UnsafeCallback(
      OUTPUT_CALLBACK,
      (_env, output) => this.#onOutput(output),
    );
    this.#noop = new Deno.UnsafeCallback(NOOP_CALLBACK, () => {});
    const addr = (c: { pointer: Deno.PointerObject }) =>
      BigInt(Deno.UnsafePointer.value(c.pointer));
    this.#sendOutput[1] = addr(this.#callback);
    this.#sendOutput[2] = addr(this.#noop);
    this.#sendOutput[3] = addr(this.#noop);
    this.#fflush = openFflush();
  }

  init(): void {
    const r = this.#lib.symbols.dora_init_operator();
    this.#check(r, "dora_init_operator");
    this.#context = pointerAt(r, 8);
  }

  onEvent(event: Event, send: SendOutput): number {
    this.#send = send;
    this.#keep = [];
    const raw = new Uint8Array(RAW_EVENT.size);
    const view = new DataView(raw.buffer);
    // Buffers the event points at stay referenced until the call returns.
    const hold: Uint8Array[] = [];
    const ptr = (b: Uint8Array) => {
      hold.push(b);
      return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(b)));
    };
    const vec = (at: number, bytes: Uint8Array) => {
      view.setBigUint64(at, bytes.length ? ptr(bytes) : 0n, true);
      view.setBigUint64(at + 8, BigInt(bytes.length), true);
      view.setBigUint64(at + 16, BigInt(bytes.length), true);
    };
    switch (event.type) {
      case "INPUT": {
        const input = new Uint8Array(INPUT_SIZE);
        const iv = new DataView(input.buffer);
        iv.setBigUint64(0, ptr(encoder.encode(`${event.id}\0`)), true);
        const data = vectorBytes(event.value);
        if (data) {
          // A non-NULL pointer even for zero bytes: the message had data.
          iv.setBigUint64(8, ptr(data.length ? data : new Uint8Array(1)), true);
          iv.setBigUint64(16, BigInt(data.length), true);
        }
        view.setBigUint64(RAW_EVENT.input, ptr(input), true);
        break;
      }
      case "INPUT_CLOSED":
        vec(RAW_EVENT.inputClosed, encoder.encode(event.id));
        break;
      case "STOP":
        raw[RAW_EVENT.stop] = 1;
        break;
      case "ERROR":
        vec(RAW_EVENT.error, encoder.encode(event.error));
        break;
      default:
        // The C ABI has no other events.
        return 0;
    }
    let r: Uint8Array;
    try {
      r = this.#lib.symbols.dora_on_event(
        Deno.UnsafePointer.of(raw),
        Deno.UnsafePointer.of(this.#sendOutput),
        this.#context,
      );
    } finally {
      this.#fflush?.();
      this.#send = null;
    }
    void hold;
    this.#check(r, "dora_on_event");
    return r[8];
  }

  drop(): void {
    const r = this.#lib.symbols.dora_drop_operator(this.#context);
    this.#fflush?.();
    this.#callback.close();
    this.#noop.close();
    this.#lib.close();
    this.#check(r, "dora_drop_operator");
  }

  /** A `DoraResult` whose error is set fails the operator with its message. */
  #check(result: Uint8Array, fn: string): void {
    const error = pointerAt(result, 0);
    if (error === null) return;
    const v = new Deno.UnsafePointerView(error);
    const bytes = v.getBigUint64(0);
    const len = Number(v.getBigUint64(8));
    const message = bytes === 0n || len === 0 ? "" : decoder.decode(
      new Uint8Array(
        Deno.UnsafePointerView.getArrayBuffer(
          Deno.UnsafePointer.create(bytes)!,
          len,
        ),
      ),
    );
    throw new Error(`${fn} returned an error: ${message || "(no message)"}`);
  }

  /** The send-output callback: `Output` {id, data, len} by value. */
  #onOutput(output: Uint8Array): Uint8Array {
    const ok = new Uint8Array(8);
    const v = new DataView(output.buffer, output.byteOffset);
    const idPtr = Deno.UnsafePointer.create(v.getBigUint64(0, true));
    const dataPtr = Deno.UnsafePointer.create(v.getBigUint64(8, true));
    const len = Number(v.getBigUint64(16, true));
    try {
      if (!idPtr) throw new Error("output id is NULL");
      const id = new Deno.UnsafePointerView(idPtr).getCString();
      const data = dataPtr && len > 0
        ? new Uint8Array(
          Deno.UnsafePointerView.getArrayBuffer(dataPtr, len),
        ).slice()
        : new Uint8Array(0);
      if (!this.#send) {
        throw new Error("send_output called outside dora_on_event");
      }
      this.#send(id, data);
      return ok;
    } catch (e) {
      return this.#error(e instanceof Error ? e.message : String(e));
    }
  }

  /** A `DoraResult` with an error message, kept alive until the next event. */
  #error(message: string): Uint8Array {
    const text = encoder.encode(message);
    const vec = new BigUint64Array(3);
    vec[0] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(text)));
    vec[1] = BigInt(text.length);
    vec[2] = BigInt(text.length);
    const bytes = new Uint8Array(vec.buffer);
    this.#keep.push(text, bytes);
    const result = new BigUint64Array(1);
    result[0] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
    return new Uint8Array(result.buffer);
  }
}

function pointerAt(bytes: Uint8Array, offset: number): Deno.PointerValue {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  return Deno.UnsafePointer.create(v.getBigUint64(offset, true));
}

/**
 * The bytes C reads with `dora_read_data`: the values of a fixed-width or
 * string array (its data, not its offsets); `null` for an empty message.
 */
export function vectorBytes(value: Vector): Uint8Array | null {
  if (value.length === 0 && value.type.typeId === 1 /* Null */) return null;
  const parts: Uint8Array[] = [];
  for (const d of value.data) {
    const values = d.values as ArrayBufferView | undefined;
    if (!values) continue;
    const width = (d.type as { bitWidth?: number }).bitWidth;
    let bytes = new Uint8Array(
      values.buffer,
      values.byteOffset,
      values.byteLength,
    );
    // Fixed-width values: only this slice's elements.
    const stride = "BYTES_PER_ELEMENT" in values
      ? (values as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT
      : 1;
    if (width !== undefined && !d.valueOffsets) {
      bytes = bytes.subarray(0, d.length * (d.stride ?? 1) * stride);
    }
    parts.push(bytes);
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** libc's `fflush(NULL)`, so what C printed shows up after each event. */
function openFflush(): (() => void) | null {
  for (const name of ["libc.so.6", "libc.dylib", "libSystem.dylib"]) {
    try {
      const libc = Deno.dlopen(name, {
        fflush: { parameters: ["pointer"], result: "i32" },
      });
      return () => void libc.symbols.fflush(null);
    } catch {
      // try the next name
    }
  }
  return null;
}
