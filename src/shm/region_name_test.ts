import assert from "node:assert/strict";
import {
  isDataflowRegion,
  isRegionOf,
  regionNameProblem,
  regionPrefix,
} from "./region_name.ts";

const DF = "0191d3a8-1b2c-7d4e-8f90-123456789abc";

Deno.test("isRegionOf() accepts only the names the node APIs create for that node", () => {
  const p = regionPrefix(DF, "cam-1");
  assert.equal(p, "/dora-0191d3a81b2c7d4e8f90123456789abc-cam-1-");
  assert.ok(isRegionOf(`${p}4242-0`, p));
  // Python names have no leading slash.
  assert.ok(isRegionOf(`${p.slice(1)}4242-17`, p));
  for (
    const bad of [
      `${p}4242-0/../../../etc/passwd`,
      `${p}../../etc/passwd`,
      `${p}4242`,
      `${p}4242-0-1`,
      `${p}-1-2`,
      `${p}1-2 `,
      `${p}1-2\n`,
      p,
      "/etc/passwd",
      `/dora-${"0".repeat(32)}-cam-1-1-2`,
      // "cam" may not pass off a region of "cam-1" as its own, nor the reverse.
      `${regionPrefix(DF, "cam")}1-2`,
    ]
  ) assert.equal(isRegionOf(bad, p), false, bad);
  assert.equal(isRegionOf(`${p}1-2`, regionPrefix(DF, "cam")), false);
});

Deno.test("regionNameProblem() names the node and the expected form", () => {
  const p = regionPrefix(DF, "cam");
  assert.equal(regionNameProblem(`${p}1-2`, "cam", p), undefined);
  assert.match(
    regionNameProblem("/dora-x/../../etc/passwd", "cam", p)!,
    /^shared-memory region "\/dora-x\/\.\.\/\.\.\/etc\/passwd" is not a region of node "cam"/,
  );
  assert.match(regionNameProblem(7, "cam", p)!, /region number is not/);
});

Deno.test("isDataflowRegion() accepts the regions of any node of the dataflow only", () => {
  assert.ok(isDataflowRegion(`${regionPrefix(DF, "a.b")}1-2`, DF));
  assert.ok(isDataflowRegion(`${regionPrefix(DF, "a").slice(1)}1-2`, DF));
  assert.equal(isDataflowRegion(`${regionPrefix(DF, "a")}1-2/../x`, DF), false);
  assert.equal(isDataflowRegion(`${regionPrefix(DF, "a")}1`, DF), false);
  const other = "0191d3a8-1b2c-7d4e-8f90-000000000000";
  assert.equal(isDataflowRegion(`${regionPrefix(other, "a")}1-2`, DF), false);
});
