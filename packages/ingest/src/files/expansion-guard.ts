import { Transform } from "node:stream";
import { IngestError } from "../errors.ts";

/** Counts bytes coming out of gunzip and stops a decompression bomb early. */
export function expansionGuard(file: string, compressedBytes: number, ratio: number): Transform {
  let out = 0;
  // Small files may compress extremely well (a column of zeros); only large outputs are judged.
  const floor = 64 * 1024 * 1024;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      out += chunk.length;
      if (out > floor && out > compressedBytes * ratio) {
        return done(
          new IngestError(
            "DECOMPRESSION_LIMIT",
            `${file}: expands more than ${ratio}× (over ${Math.round(out / 1048576)} MiB from ${compressedBytes} bytes); refusing a likely decompression bomb`,
            "Land it uncompressed, or raise maxExpansionRatio if the data really compresses this well.",
            { file, rule: "maxExpansionRatio" },
          ),
        );
      }
      done(null, chunk);
    },
  });
}
