import assert from "node:assert/strict";
import { fetchErrorMessage } from "./errors.ts";

Deno.test("fetchErrorMessage() says why a connection was refused", async () => {
  // A port nothing listens on: bind one, note it, close it.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const err = await fetch(`http://127.0.0.1:${port}/`).then(
    () => assert.fail("nothing listens there"),
    (e: unknown) => e,
  );
  assert.match(
    fetchErrorMessage(err),
    /^tcp connect error: Connection refused/,
  );
});

Deno.test("fetchErrorMessage() keeps a plain error's message", () => {
  assert.equal(fetchErrorMessage(new Error("boom")), "boom");
  assert.equal(fetchErrorMessage("text"), "text");
});
