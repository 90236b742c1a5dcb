/**
 * Adding a metadata record to a finished recording: `@mcap/core`'s writer in
 * append mode reads the summary, cuts the file at its data end, adds the
 * record and writes a new summary and footer.
 *
 * @module
 */
import { McapWriter } from "@mcap/core";

/** Appends metadata record `name` to the finished MCAP file at `path`. */
export async function appendMetadata(
  path: string,
  name: string,
  metadata: Record<string, string>,
): Promise<void> {
  using file = await Deno.open(path, { read: true, write: true });
  let position = 0n;
  const io = {
    async size() {
      return BigInt((await file.stat()).size);
    },
    async read(offset: bigint, size: bigint) {
      const out = new Uint8Array(Number(size));
      await file.seek(Number(offset), Deno.SeekMode.Start);
      let got = 0;
      while (got < out.length) {
        const n = await file.read(out.subarray(got));
        if (n === null) throw new RangeError(`${path} ends early`);
        got += n;
      }
      return out;
    },
    async seek(offset: bigint) {
      position = offset;
      await file.seek(Number(offset), Deno.SeekMode.Start);
    },
    async truncate() {
      await file.truncate(Number(position));
      await file.seek(Number(position), Deno.SeekMode.Start);
    },
    async write(bytes: Uint8Array) {
      let done = 0;
      while (done < bytes.length) {
        done += await file.write(bytes.subarray(done));
      }
      position += BigInt(bytes.length);
    },
    position() {
      return position;
    },
  };
  const writer = await McapWriter.InitializeForAppending(io, {});
  await writer.addMetadata({
    name,
    metadata: new Map(Object.entries(metadata)),
  });
  await writer.end();
}
