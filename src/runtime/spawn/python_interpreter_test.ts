import assert from "node:assert/strict";
import { resolvePython, selectionStamp } from "./python_interpreter.ts";

Deno.test("resolvePython() resolves a shim to the real interpreter once per run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dora-pyshim-" });
  try {
    await Deno.mkdir(`${dir}/shims`);
    await Deno.mkdir(`${dir}/versions/3.11/bin`, { recursive: true });
    const real = `${dir}/versions/3.11/bin/python3.11`;
    await Deno.writeTextFile(real, "");
    // The shim records each call and prints the interpreter it would exec.
    await Deno.writeTextFile(
      `${dir}/shims/python3`,
      `#!/bin/sh\necho called >> ${dir}/calls\necho ${real}\n`,
      { mode: 0o755 },
    );
    const cache = new Map();
    const env = { PATH: `${dir}/shims:/usr/bin:/bin` };
    const first = resolvePython(dir, env, cache);
    const second = resolvePython(dir, env, cache);
    assert.deepEqual(first, { cmd: real, binDir: `${dir}/versions/3.11/bin` });
    assert.deepEqual(second, first);
    assert.equal((await Deno.readTextFile(`${dir}/calls`)).trim(), "called");
    // Another version selection is resolved again.
    resolvePython(dir, { ...env, PYENV_VERSION: "3.12" }, cache);
    assert.equal(
      (await Deno.readTextFile(`${dir}/calls`)).trim().split("\n").length,
      2,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolvePython() keeps python3 when it is no shim or the shim fails", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dora-pyshim-" });
  try {
    // A binary (no #!) outside a shims folder is used as it is.
    await Deno.writeFile(`${dir}/python3`, new Uint8Array([0x7f, 0x45]), {
      mode: 0o755,
    });
    assert.deepEqual(
      resolvePython(dir, { PATH: dir }, new Map()),
      { cmd: "python3" },
    );
    // A shim that fails: plain python3 (the spawn then reports any problem).
    await Deno.writeTextFile(`${dir}/python3`, "#!/bin/sh\nexit 3\n", {
      mode: 0o755,
    });
    assert.deepEqual(
      resolvePython(dir, { PATH: dir }, new Map()),
      { cmd: "python3" },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolvePython() remembers a shim's answer across runs until its version selection changes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dora-pyshim-" });
  try {
    await Deno.mkdir(`${dir}/shims`);
    await Deno.mkdir(`${dir}/versions/3.11/bin`, { recursive: true });
    await Deno.mkdir(`${dir}/project`);
    const real = `${dir}/versions/3.11/bin/python3.11`;
    await Deno.writeTextFile(real, "");
    await Deno.writeTextFile(
      `${dir}/shims/python3`,
      `#!/bin/sh\necho called >> ${dir}/calls\necho ${real}\n`,
      { mode: 0o755 },
    );
    const store = `${dir}/state/python-shims.json`;
    const env = { PATH: `${dir}/shims:/usr/bin:/bin` };
    const calls = async () =>
      (await Deno.readTextFile(`${dir}/calls`)).trim().split("\n").length;
    const cwd = `${dir}/project`;
    // Each run has its own in-memory cache: the second run reads the file.
    const first = resolvePython(cwd, env, new Map(), store);
    const second = resolvePython(cwd, env, new Map(), store);
    assert.deepEqual(first, { cmd: real, binDir: `${dir}/versions/3.11/bin` });
    assert.deepEqual(second, first);
    assert.equal(await calls(), 1);
    // A .python-version in the folder (or a parent) is another selection.
    await Deno.writeTextFile(`${dir}/.python-version`, "3.11\n");
    resolvePython(cwd, env, new Map(), store);
    assert.equal(await calls(), 2);
    resolvePython(cwd, { ...env, PYENV_VERSION: "3.12" }, new Map(), store);
    assert.equal(await calls(), 3);
    // A remembered interpreter that is gone is asked for again.
    await Deno.remove(real);
    await Deno.writeTextFile(real, "");
    resolvePython(cwd, env, new Map(), store);
    assert.equal(await calls(), 3);
    await Deno.remove(real);
    resolvePython(cwd, env, new Map(), store);
    assert.equal(await calls(), 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("selectionStamp() is only made for pyenv/asdf-style shims folders", () => {
  assert.equal(selectionStamp("/usr/local/bin/python3", "/tmp", {}), undefined);
});
