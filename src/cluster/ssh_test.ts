import assert from "node:assert/strict";
import { parseClusterFile } from "./config.ts";
import { shQuote, sshArgs, sshDestination, sshReason } from "./ssh.ts";

const [pi, plain] = parseClusterFile(`coordinator: {addr: 10.0.0.1}
machines:
  - {id: pi, host: 10.0.0.2, user: pi, port: 2222}
  - {id: b, host: "fe80::1"}
`).machines;

Deno.test("shQuote() keeps plain words and quotes the rest for sh", async () => {
  assert.equal(shQuote("--labels"), "--labels");
  assert.equal(shQuote("gpu=true,arch=arm64"), "gpu=true,arch=arm64");
  for (const word of ["it's", "a b", "$HOME", "`x`", "", "semi;colon", "\n"]) {
    const out = await new Deno.Command("sh", {
      args: ["-c", `printf '%s' ${shQuote(word)}`],
      stdout: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(out.stdout), word);
  }
});

Deno.test("sshArgs() runs the script with sh in batch mode, values as arguments", () => {
  const args = sshArgs(pi!, "echo $1", ["a b"]);
  assert.deepEqual(args.slice(-5), [
    "-l",
    "pi",
    "--",
    "10.0.0.2",
    "exec sh -c 'echo $1' sh 'a b'",
  ]);
  assert.ok(args.includes("BatchMode=yes"));
  assert.ok(args.includes("StrictHostKeyChecking=accept-new"));
  assert.ok(args.includes("ConnectTimeout=10"));
  assert.deepEqual(args.slice(args.indexOf("-p"), args.indexOf("-p") + 2), [
    "-p",
    "2222",
  ]);
  assert.ok(!sshArgs(plain!, "true").includes("-p"));
});

Deno.test("sshDestination() writes user, host and port as people do", () => {
  assert.equal(sshDestination(pi!), "pi@10.0.0.2:2222");
  assert.equal(sshDestination(plain!), "[fe80::1]");
});

Deno.test("sshReason() picks ssh's explanation, not the host-key notice", () => {
  assert.equal(
    sshReason(
      "Warning: Permanently added '[127.0.0.1]:2201' (ED25519) to the list of known hosts.\r\nroot@127.0.0.1: Permission denied (publickey).\r\n",
    ),
    "root@127.0.0.1: Permission denied (publickey).",
  );
  assert.equal(
    sshReason("ssh: connect to host 10.0.0.9 port 22: Connection refused\n"),
    "connect to host 10.0.0.9 port 22: Connection refused",
  );
  assert.equal(sshReason(""), "ssh exited with status 255");
});
