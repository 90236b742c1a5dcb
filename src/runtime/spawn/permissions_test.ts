import assert from "node:assert/strict";
import { parsePermissionViolation, permissionFlags } from "./permissions.ts";

const ctx = {
  nodeDir: "/df/nodes",
  apiDirs: ["/api"],
  socketPath: "/run/s.sock",
  workingDir: "/df",
};

Deno.test("permissionFlags() grants least privilege by default: FFI to dora's library only", () => {
  const { flags, shm } = permissionFlags(undefined, {
    ...ctx,
    shmLibrary: "/cache/dora_shm-1.so",
  });
  assert.deepEqual(flags, [
    "--no-prompt",
    "--allow-read=/run/s.sock,/df/nodes,/api",
    "--allow-write=/run/s.sock",
    "--allow-net=unix:/run/s.sock",
    "--allow-env",
    "--allow-ffi=/cache/dora_shm-1.so",
  ]);
  assert.equal(shm, true);
});

Deno.test("permissionFlags() gives no FFI and no shared memory without dora's library", () => {
  const { flags, shm } = permissionFlags(undefined, ctx);
  assert.ok(!flags.some((f) => f.startsWith("--allow-ffi")), String(flags));
  assert.equal(shm, false);
});

Deno.test("permissionFlags() keeps the user's FFI grants, with dora's library", () => {
  const lib = { ...ctx, shmLibrary: "/cache/dora_shm-1.so" };
  assert.ok(permissionFlags({ ffi: true }, lib).flags.includes("--allow-ffi"));
  const listed = permissionFlags({ ffi: ["lib/libfoo.so"] }, lib);
  assert.ok(
    listed.flags.includes(
      "--allow-ffi=/cache/dora_shm-1.so,/df/lib/libfoo.so",
    ),
    String(listed.flags),
  );
  assert.equal(listed.shm, true);
  const off = permissionFlags({ ffi: false }, lib);
  assert.ok(!off.flags.some((f) => f.startsWith("--allow-ffi")));
  assert.equal(off.shm, false);
});

Deno.test("permissionFlags() widens and narrows per permission", () => {
  const { flags, shm } = permissionFlags(
    {
      read: false,
      write: ["data"],
      net: true,
      env: ["HOME"],
      ffi: false,
      sys: true,
    },
    ctx,
  );
  assert.deepEqual(flags, [
    "--no-prompt",
    "--allow-read=/run/s.sock",
    "--allow-write=/run/s.sock,/df/data",
    "--allow-net",
    "--allow-env=DORA_NODE_CONFIG,DORA_RUNTIME_CONFIG,DORA_RUN_PARENT_PID,DORA_SHM_LIBRARY,DORA_ZERO_COPY_THRESHOLD,NO_COLOR,HOME",
    "--allow-sys",
  ]);
  assert.equal(shm, false);
});

Deno.test("parsePermissionViolation() reads Deno's NotCapable line", () => {
  const v = parsePermissionViolation(
    'error: Uncaught (in promise) NotCapable: Requires net access to "127.0.0.1:9", run again with the --allow-net flag',
  );
  assert.equal(v?.permission, "net");
  assert.equal(v?.target, '"127.0.0.1:9"');
  assert.equal(
    parsePermissionViolation(
      'error: dora node cannot start, a permission is missing: Requires read access to "/x", run again with the --allow-read flag.',
    )?.permission,
    "read",
  );
  assert.equal(parsePermissionViolation("just a line"), undefined);
});
