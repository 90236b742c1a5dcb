import assert from "node:assert/strict";
import {
  denoTarget,
  executableCpu,
  UnsupportedPlatformError,
} from "./platform.ts";

Deno.test("denoTarget() maps uname output to the npm package of Deno", () => {
  assert.equal(denoTarget("Linux", "x86_64"), "linux-x64-glibc");
  assert.equal(denoTarget("Linux", "aarch64"), "linux-arm64-glibc");
  assert.equal(denoTarget("Darwin", "arm64"), "darwin-arm64");
  assert.equal(denoTarget("Darwin", "x86_64"), "darwin-x64");
});

Deno.test("denoTarget() refuses 32-bit ARM, musl and other systems with what to do", () => {
  assert.throws(
    () => denoTarget("Linux", "armv7l"),
    (e: Error) =>
      e instanceof UnsupportedPlatformError && /64-bit OS/.test(e.message),
  );
  assert.throws(() => denoTarget("Linux", "x86_64", "musl"), /glibc/);
  assert.throws(() => denoTarget("FreeBSD", "amd64"), /Linux and macOS/);
  assert.throws(() => denoTarget("Linux", "riscv64"), /riscv64/);
});

Deno.test("executableCpu() reads ELF and Mach-O headers", () => {
  const elf = (machine: number) => {
    const b = new Uint8Array(20);
    b.set([0x7f, 0x45, 0x4c, 0x46]);
    new DataView(b.buffer).setUint16(18, machine, true);
    return b;
  };
  assert.equal(executableCpu(elf(0x3e)), "x64");
  assert.equal(executableCpu(elf(0xb7)), "arm64");
  assert.equal(executableCpu(elf(0x28)), undefined);
  const macho = new Uint8Array(8);
  new DataView(macho.buffer).setUint32(0, 0xfeedfacf, true);
  new DataView(macho.buffer).setUint32(4, 0x0100000c, true);
  assert.equal(executableCpu(macho), "arm64");
  assert.equal(
    executableCpu(new TextEncoder().encode("#!/bin/sh\n")),
    undefined,
  );
  // This process's own Deno.
  const own = Deno.readFileSync(Deno.execPath()).subarray(0, 20);
  assert.equal(
    executableCpu(own),
    Deno.build.arch === "aarch64" ? "arm64" : "x64",
  );
});
