import assert from "node:assert/strict";
import { lockRefusal } from "./realtime.ts";

Deno.test("lockRefusal() allows locking with CAP_IPC_LOCK or an unlimited ulimit -l", () => {
  assert.equal(
    lockRefusal(
      "CapEff:\t0000000000004000\n",
      "Max locked memory 8388608 8388608 bytes\n",
    ),
    undefined,
  );
  assert.equal(
    lockRefusal(
      "CapEff:\t0000000000000000\n",
      "Max locked memory unlimited unlimited bytes\n",
    ),
    undefined,
  );
});

Deno.test("lockRefusal() refuses without the capability under a finite ulimit -l", () => {
  assert.match(
    lockRefusal(
      "CapEff:\t0000000000000000\n",
      "Max locked memory 8388608 8388608 bytes\n",
    ) ?? "",
    /no CAP_IPC_LOCK and `ulimit -l` is 8192 KiB/,
  );
});
