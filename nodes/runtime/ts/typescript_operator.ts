/**
 * TypeScript (and JavaScript) operators: a module exporting `class Operator`
 * (or a default-exported class, or a default object with `onEvent`),
 * imported with the node's permissions. A reload imports the file again
 * under a new URL and creates a new instance.
 *
 * @module
 */
import type { DoraOperator, Event, SendOutput } from "../../api/ts/mod.ts";
import { type OperatorHost, OperatorLoadError } from "./operator_host.ts";

type Factory = () => DoraOperator;

/** Imports the module of operator `name` (e.g. `operator "op" of node "n"`). */
export async function loadTypeScriptOperator(
  name: string,
  file: string,
): Promise<OperatorHost> {
  const url = new URL(`file://${encodeURI(file)}`).href;
  let factory = await importFactory(name, file, url);
  let instance: DoraOperator | undefined;
  let generation = 0;
  const create = (f: Factory): DoraOperator => {
    const op = f();
    if (!op || typeof op.onEvent !== "function") {
      throw new OperatorLoadError(
        `${name}: the \`Operator\` of ${file} has no \`onEvent(event, sendOutput)\` method`,
      );
    }
    return op;
  };
  return {
    init() {
      instance = create(factory);
    },
    onEvent(event: Event, send: SendOutput) {
      return instance!.onEvent(event, send);
    },
    async reload() {
      const next = await importFactory(
        name,
        file,
        `${url}?reload=${++generation}`,
      );
      const fresh = create(next);
      const old = instance;
      factory = next;
      instance = fresh;
      await old?.drop?.();
    },
    async drop() {
      await instance?.drop?.();
      instance = undefined;
    },
  };
}

async function importFactory(
  name: string,
  file: string,
  url: string,
): Promise<Factory> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(url);
  } catch (e) {
    throw new OperatorLoadError(
      `${name}: cannot load ${file}: ${e instanceof Error ? e.message : e}`,
    );
  }
  const cls = mod.Operator ?? mod.default;
  if (typeof cls === "function") {
    return () => new (cls as new () => DoraOperator)();
  }
  if (
    cls && typeof cls === "object" &&
    typeof (cls as DoraOperator).onEvent === "function"
  ) return () => cls as DoraOperator;
  throw new OperatorLoadError(
    `${name}: ${file} defines no operator: export \`class Operator { onEvent(event, sendOutput) { … } }\` (or a default object with \`onEvent\`)`,
  );
}
