import assert from "node:assert/strict";
import { compareVersions, isVersion, parseVersion } from "./semver.ts";

Deno.test("parseVersion() reads release and pre-release versions", () => {
  assert.deepEqual(parseVersion("1.0.0-rc.4"), {
    major: 1,
    minor: 0,
    patch: 0,
    pre: ["rc", 4],
  });
  assert.deepEqual(parseVersion("0.1.0+build.7")?.pre, []);
  for (const bad of ["1.0", "01.0.0", "1.0.0-", "soon", "1.0.0-01"]) {
    assert.equal(isVersion(bad), false, bad);
  }
});

Deno.test("compareVersions() follows semver precedence", () => {
  const ordered = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.1.0",
    "2.0.0",
  ];
  for (let i = 0; i < ordered.length; i++) {
    for (let j = 0; j < ordered.length; j++) {
      assert.equal(
        compareVersions(ordered[i]!, ordered[j]!),
        Math.sign(i - j),
        `${ordered[i]} vs ${ordered[j]}`,
      );
    }
  }
  assert.equal(compareVersions("1.0.0+a", "1.0.0+b"), 0);
});
