import { Readable, Transform } from "node:stream";
import type { LakeStore, PutBody } from "@saleslake/ingest";

/**
 * Wraps a store so that each data upload (not a manifest) holds, mid-stream, once `limit`
 * bytes have gone to the store, until `release` settles: a fault then strikes at a known point
 * of the upload instead of by a race. `onHold` is called when an upload holds.
 */
export function stallingUploads(
  store: LakeStore,
  limit: number,
  onHold: () => void,
  release: Promise<unknown>,
): LakeStore {
  const put = store.put.bind(store);
  store.put = (path: string, body: PutBody) => {
    if (path.endsWith(".json")) return put(path, body);
    let seen = 0;
    let held = false;
    const gate = new Transform({
      transform(chunk: Buffer, _enc, done) {
        if (held || seen + chunk.length <= limit) {
          seen += chunk.length;
          return done(null, chunk);
        }
        // The bytes up to the limit go on, whatever size the reads are; the rest waits.
        const head = limit - seen;
        if (head > 0) this.push(chunk.subarray(0, head));
        seen += chunk.length;
        held = true;
        onHold();
        void release.then(() => done(null, chunk.subarray(Math.max(0, head))));
      },
    });
    const source =
      body instanceof Readable ? body : Readable.from(body instanceof Uint8Array ? [body] : body);
    source.on("error", (e) => gate.destroy(e));
    return put(path, source.pipe(gate));
  };
  return store;
}
