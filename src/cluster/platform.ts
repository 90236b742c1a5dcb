/**
 * Which Deno build a machine needs, from what `uname -s`/`uname -m` and its
 * C library say. The builds are the npm packages the pinned `deno` package
 * depends on (`@deno/linux-arm64-glibc` for a 64-bit Raspberry Pi OS, …).
 *
 * @module
 */

/** A Deno build target, named like its npm package (`linux-x64-glibc`). */
export type DenoTarget =
  | "linux-x64-glibc"
  | "linux-arm64-glibc"
  | "darwin-x64"
  | "darwin-arm64";

/** The machine has no Deno build; `reason` says what to do. */
export class UnsupportedPlatformError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "UnsupportedPlatformError";
  }
}

/**
 * The Deno target for a machine.
 *
 * @example
 * ```ts
 * denoTarget("Linux", "aarch64", "glibc"); // "linux-arm64-glibc"
 * ```
 *
 * @throws {UnsupportedPlatformError} for systems Deno has no build for.
 */
export function denoTarget(
  os: string,
  arch: string,
  libc = "glibc",
): DenoTarget {
  const cpu = /^(x86_64|amd64)$/i.test(arch)
    ? "x64"
    : /^(aarch64|arm64|armv8.*)$/i.test(arch)
    ? "arm64"
    : undefined;
  if (cpu === undefined) {
    throw new UnsupportedPlatformError(
      /^armv[67]/i.test(arch)
        ? `Deno has no build for 32-bit ARM (${arch}): install a 64-bit OS (e.g. 64-bit Raspberry Pi OS)`
        : `Deno has no build for the CPU "${arch}" (x86_64 and aarch64 are supported)`,
    );
  }
  if (os === "Linux") {
    if (libc === "musl") {
      throw new UnsupportedPlatformError(
        "Deno's Linux builds need glibc; this machine uses musl (e.g. Alpine): use a glibc distribution",
      );
    }
    return `linux-${cpu}-glibc`;
  }
  if (os === "Darwin") return `darwin-${cpu}`;
  throw new UnsupportedPlatformError(
    `dora cluster supports Linux and macOS machines, not "${os}"`,
  );
}

/** The target of the machine this process runs on. */
export function localDenoTarget(): DenoTarget {
  return denoTarget(
    Deno.build.os === "darwin" ? "Darwin" : "Linux",
    Deno.build.arch,
    "glibc",
  );
}

/**
 * The CPU an executable was built for (ELF or Mach-O header), or undefined
 * when the file is not one of those.
 */
export function executableCpu(header: Uint8Array): "x64" | "arm64" | undefined {
  const view = new DataView(header.buffer, header.byteOffset, header.length);
  if (header.length >= 20 && view.getUint32(0) === 0x7f454c46) {
    const machine = view.getUint16(18, true);
    return machine === 0x3e ? "x64" : machine === 0xb7 ? "arm64" : undefined;
  }
  if (header.length >= 8 && view.getUint32(0, true) === 0xfeedfacf) {
    const cpu = view.getUint32(4, true);
    return cpu === 0x01000007
      ? "x64"
      : cpu === 0x0100000c
      ? "arm64"
      : undefined;
  }
  return undefined;
}

/** The CPU part of a target. */
export function targetCpu(target: DenoTarget): "x64" | "arm64" {
  return target.includes("arm64") ? "arm64" : "x64";
}
