import assert from "node:assert/strict";
import { ArchiveError, archiveKind, unpackArchive } from "./archive.ts";

/** Builds an archive with Python's standard library (tarfile / zipfile). */
async function pythonArchive(kind: "tar.gz" | "zip", dir: string) {
  const script = kind === "zip"
    ? `import zipfile, os
with zipfile.ZipFile("${dir}/a.zip", "w", zipfile.ZIP_DEFLATED) as z:
    i = zipfile.ZipInfo("pkg/bin/tool"); i.external_attr = 0o100755 << 16
    z.writestr(i, "#!/bin/sh\\necho hi\\n")
    z.writestr("pkg/README.txt", "x" * 5000)
    z.writestr("pkg/empty/", "")`
    : `import tarfile, io
with tarfile.open("${dir}/a.tar.gz", "w:gz") as t:
    def add(name, data, mode):
        i = tarfile.TarInfo(name); i.size = len(data); i.mode = mode
        t.addfile(i, io.BytesIO(data))
    add("pkg/bin/tool", b"#!/bin/sh\\necho hi\\n", 0o755)
    add("pkg/README.txt", b"x" * 5000, 0o644)
    add("pkg/" + "d" * 120 + "/long.txt", b"long", 0o644)`;
  const out = await new Deno.Command("python3", { args: ["-c", script] })
    .output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return Deno.readFileSync(`${dir}/a.${kind}`);
}

Deno.test("archiveKind() recognises tar.gz, tgz, tar and zip names", () => {
  assert.equal(archiveKind("x.tar.gz"), "tar.gz");
  assert.equal(archiveKind("X.TGZ"), "tar.gz");
  assert.equal(archiveKind("x.tar"), "tar");
  assert.equal(archiveKind("x.zip"), "zip");
  assert.equal(archiveKind("x.py"), undefined);
});

for (const kind of ["tar.gz", "zip"] as const) {
  Deno.test(`unpackArchive() unpacks a ${kind} and keeps executable bits`, async () => {
    const dir = Deno.makeTempDirSync();
    try {
      const files = await unpackArchive(
        await pythonArchive(kind, dir),
        kind,
        `${dir}/out`,
      );
      assert.ok(files.includes("pkg/bin/tool"));
      assert.ok(files.includes("pkg/README.txt"));
      assert.equal(
        Deno.readTextFileSync(`${dir}/out/pkg/README.txt`),
        "x".repeat(5000),
      );
      assert.equal(
        Deno.statSync(`${dir}/out/pkg/bin/tool`).mode! & 0o111,
        0o111,
      );
      assert.equal(Deno.statSync(`${dir}/out/pkg/README.txt`).mode! & 0o111, 0);
      if (kind === "tar.gz") {
        assert.ok(files.includes(`pkg/${"d".repeat(120)}/long.txt`));
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

Deno.test("unpackArchive() refuses an entry that escapes the folder", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const out = await new Deno.Command("python3", {
      args: [
        "-c",
        `import zipfile
with zipfile.ZipFile("${dir}/evil.zip", "w") as z:
    z.writestr("../evil.txt", "x")`,
      ],
    }).output();
    assert.equal(out.code, 0);
    await assert.rejects(
      unpackArchive(Deno.readFileSync(`${dir}/evil.zip`), "zip", `${dir}/out`),
      (err) => err instanceof ArchiveError && /outside/.test(err.message),
    );
    assert.throws(() => Deno.statSync(`${dir}/evil.txt`));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("unpackArchive() reports a corrupt gzip file", async () => {
  await assert.rejects(
    unpackArchive(
      new TextEncoder().encode("not gzip"),
      "tar.gz",
      "/nonexistent",
    ),
    ArchiveError,
  );
});
