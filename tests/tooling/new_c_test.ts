/**
 * `dora new --lang c|cxx`: the generated projects build with the system
 * compilers (their `build:` lines, run by `dora run`) and their `test.sh`
 * passes at once.
 */
import { newProjectTest } from "./_new_project.ts";

for (const lang of ["c", "cxx"]) {
  newProjectTest(lang, "dataflow", ["sh", "test.sh"]);
  newProjectTest(lang, "node", ["sh", "test.sh"]);
}
