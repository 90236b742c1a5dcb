/**
 * End to end: shared-library operators with the original's C operator ABI,
 * compiled by the system C compiler through `dora build` (the operator's
 * `build:`), loaded by the Deno runtime through FFI, next to a TypeScript
 * operator of the same node.
 */
import assert from "node:assert/strict";
import { ROOT, runDora, tempDataflow } from "../_support/dora.ts";

const API = `${ROOT}/nodes/api/c/operator`;

/** Counts the bytes of its `data` input; sends the count; STOP after 5. */
const COUNTER_C = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "operator_api.h"

DoraInitResult_t dora_init_operator(void) {
    int *count = calloc(1, sizeof(int));
    DoraInitResult_t r = {.operator_context = count};
    return r;
}

DoraResult_t dora_drop_operator(void *ctx) {
    printf("counter dropped after %d\\n", *(int *)ctx);
    free(ctx);
    DoraResult_t r = {0};
    return r;
}

OnEventResult_t dora_on_event(RawEvent_t *event, const SendOutput_t *send_output, void *ctx) {
    OnEventResult_t result = {.status = DORA_STATUS_CONTINUE};
    int *count = ctx;
    if (event->input != NULL) {
        char *id = dora_read_input_id(event->input);
        Vec_uint8_t data = dora_read_data(event->input);
        *count += 1;
        char out[64];
        int n = snprintf(out, sizeof out, "%s #%d: %zu bytes", id, *count, data.len);
        result.result = dora_send_operator_output(send_output, "count", (uint8_t *)out, (size_t)n);
        dora_free_data(data);
        dora_free_input_id(id);
        if (*count == 5) result.status = DORA_STATUS_STOP;
    }
    if (event->input_closed.ptr != NULL) {
        printf("input %.*s closed\\n", (int)event->input_closed.len, event->input_closed.ptr);
    }
    return result;
}
`;

Deno.test("dora run loads a C operator built by dora build and feeds a TypeScript operator in-process", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: source
    path: source.ts
    inputs:
      tick: dora/timer/millis/20
    outputs: [data]
  - id: native
    operators:
      - id: counter
        shared-library: build/counter
        build: mkdir -p build && cc -shared -fPIC -I${API} -o build/libcounter.so counter.c ${API}/operator_api.c
        inputs:
          data: source/data
        outputs: [count]
      - id: relay
        typescript: relay.ts
        inputs:
          count: native/counter/count
        outputs: [text]
  - id: sink
    path: sink.ts
    inputs:
      text: native/relay/text
`);
  await Deno.writeTextFile(`${df.dir}/counter.c`, COUNTER_C);
  await Deno.writeTextFile(
    `${df.dir}/source.ts`,
    `import { Node } from "dora";
const node = await Node.init();
let n = 0;
for await (const e of node) {
  if (e.type === "INPUT") await node.sendOutput("data", new Uint8Array(++n));
  if (n === 5) break;
}
`,
  );
  await Deno.writeTextFile(
    `${df.dir}/relay.ts`,
    `import { DoraStatus, type OperatorEvent, type SendOutput } from "dora";
export class Operator {
  onEvent(event: OperatorEvent, send: SendOutput) {
    if (event.type === "INPUT") {
      const text = new TextDecoder().decode(event.value.toArray() as Uint8Array);
      send("text", [text.toUpperCase()]);
    }
    return DoraStatus.CONTINUE;
  }
}
`,
  );
  await Deno.writeTextFile(
    `${df.dir}/sink.ts`,
    `import { Node } from "dora";
const node = await Node.init();
const got: string[] = [];
for await (const e of node) if (e.type === "INPUT") got.push(String(e.value.get(0)));
const expected = [1, 2, 3, 4, 5].map((i) => \`DATA #\${i}: \${i} BYTES\`);
console.log(got.join() === expected.join() ? "SUCCESS" : \`FAILURE: \${got.join(" | ")}\`);
`,
  );
  // Not built, and the build skipped: the start fails and says why.
  const before = await runDora([
    "run",
    df.path,
    "--no-build",
    "--stop-after",
    "60s",
  ]);
  assert.equal(before.code, 1);
  assert.match(
    before.stderr,
    /operator "counter" of node "native": shared-library file "build\/libcounter\.so" not found .*it has a `build:` command/,
  );

  const build = await runDora([
    "build",
    "--local",
    df.path,
    "--allow-shell-nodes",
  ]);
  assert.equal(build.code, 0, `${build.stdout}\n${build.stderr}`);
  assert.match(build.stdout, /native: .*mkdir -p build && cc /);

  const run = await runDora([
    "run",
    df.path,
    "--stop-after",
    "60s",
    "--allow-shell-nodes",
  ]);
  const output = `${run.stdout}\n${run.stderr}`;
  assert.match(output, /sink: SUCCESS/);
  // What C printed shows up in the node's log (flushed after each call).
  assert.match(output, /native: counter dropped after 5/);
  assert.equal(run.code, 0, output);
});

Deno.test("dora run names the missing symbol of a shared library without the operator ABI", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: native
    operator:
      shared-library: half
      inputs:
        tick: dora/timer/millis/50
`);
  await Deno.writeTextFile(
    `${df.dir}/half.c`,
    `#include "operator_api.h"
DoraInitResult_t dora_init_operator(void) { DoraInitResult_t r = {0}; return r; }
DoraResult_t dora_drop_operator(void *ctx) { DoraResult_t r = {0}; return r; }
`,
  );
  const cc = await new Deno.Command("cc", {
    args: ["-shared", "-fPIC", `-I${API}`, "-o", "libhalf.so", "half.c"],
    cwd: df.dir,
  }).output();
  assert.ok(cc.success, new TextDecoder().decode(cc.stderr));
  const run = await runDora(["run", df.path, "--stop-after", "60s"]);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /operator "op" of node "native": shared library .*libhalf\.so has no symbol "dora_on_event"/,
  );
  assert.match(run.stderr, /node "native" exited before connecting/);
});

Deno.test("dora run fails a runtime node whose C operator returns an error", async () => {
  await using df = await tempDataflow(`
nodes:
  - id: native
    operator:
      shared-library: failing
      inputs:
        tick: dora/timer/millis/20
`);
  await Deno.writeTextFile(
    `${df.dir}/failing.c`,
    `#include <stdlib.h>
#include <string.h>
#include "operator_api.h"
DoraInitResult_t dora_init_operator(void) { DoraInitResult_t r = {0}; return r; }
DoraResult_t dora_drop_operator(void *ctx) { DoraResult_t r = {0}; return r; }
OnEventResult_t dora_on_event(RawEvent_t *e, const SendOutput_t *s, void *ctx) {
    OnEventResult_t r = {.status = DORA_STATUS_CONTINUE};
    if (e->input != NULL) {
        Vec_uint8_t *err = malloc(sizeof(Vec_uint8_t));
        err->ptr = (uint8_t *)strdup("sensor unplugged");
        err->len = strlen("sensor unplugged");
        err->cap = err->len;
        r.result.error = err;
    }
    return r;
}
`,
  );
  const cc = await new Deno.Command("cc", {
    args: ["-shared", "-fPIC", `-I${API}`, "-o", "libfailing.so", "failing.c"],
    cwd: df.dir,
  }).output();
  assert.ok(cc.success, new TextDecoder().decode(cc.stderr));
  const run = await runDora(["run", df.path, "--stop-after", "60s"]);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /operator "op" of node "native" failed in onEvent \(INPUT "tick"\): dora_on_event returned an error: sensor unplugged/,
  );
  assert.match(run.stderr, /node "native" failed: exited with code 1/);
});
