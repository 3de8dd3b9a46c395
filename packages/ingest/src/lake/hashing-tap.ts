import { createHash } from "node:crypto";
import { Transform } from "node:stream";

/** A pass-through stream that counts and hashes (sha256) what flows through it. */
export function hashingTap(): { tap: Transform; result: () => { bytes: number; sha256: string } } {
  const hash = createHash("sha256");
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { tap, result: () => ({ bytes, sha256: hash.digest("hex") }) };
}
