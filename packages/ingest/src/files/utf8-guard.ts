import { Transform } from "node:stream";
import { IngestError } from "../errors.ts";

function countNewlines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  return n;
}

/** Bounds of the second byte of a sequence by its lead byte, and the number of continuation bytes (RFC 3629). */
function sequence(lead: number): [lo: number, hi: number, length: number] | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return [0x80, 0xbf, 1];
  if (lead === 0xe0) return [0xa0, 0xbf, 2];
  if ((lead >= 0xe1 && lead <= 0xec) || lead === 0xee || lead === 0xef) return [0x80, 0xbf, 2];
  if (lead === 0xed) return [0x80, 0x9f, 2];
  if (lead === 0xf0) return [0x90, 0xbf, 3];
  if (lead >= 0xf1 && lead <= 0xf3) return [0x80, 0xbf, 3];
  if (lead === 0xf4) return [0x80, 0x8f, 3];
  return undefined;
}

/** Index of the first byte starting an invalid sequence; `b.length` when valid (an unfinished tail is not invalid yet). */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const lead = b[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const seq = sequence(lead);
    if (!seq) return i;
    const [lo, hi, length] = seq;
    for (let k = 1; k <= length; k++) {
      if (i + k >= b.length) return b.length;
      const c = b[i + k]!;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += length + 1;
  }
  return b.length;
}

/** The bytes at the end of a valid chunk that start a character the next chunk finishes. */
function unfinishedTail(b: Buffer): Buffer {
  for (let back = 1; back <= 3 && back <= b.length; back++) {
    const lead = b[b.length - back]!;
    if ((lead & 0xc0) === 0x80) continue;
    const seq = sequence(lead);
    return seq && seq[2] >= back ? b.subarray(b.length - back) : Buffer.alloc(0);
  }
  return Buffer.alloc(0);
}

/**
 * Checks the text of a file as it streams: UTF-16 byte-order marks, NUL bytes and invalid
 * UTF-8 are refused with the byte offset and row, so nothing undecodable reaches the lake.
 */
export class Utf8Guard extends Transform {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private carry: Buffer = Buffer.alloc(0);
  private offset = 0;
  private row = 1;
  private readonly file: string;
  constructor(file: string) {
    super();
    this.file = file;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null, data?: Buffer) => void) {
    if (
      this.offset === 0 &&
      chunk.length >= 2 &&
      ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))
    ) {
      return done(
        new IngestError(
          "INVALID_ENCODING",
          `${this.file}: the file is UTF-16; saleslake reads UTF-8`,
          "Convert it, e.g. iconv -f UTF-16 -t UTF-8.",
          { file: this.file, row: 1, rule: "encoding" },
        ),
      );
    }
    const nul = chunk.indexOf(0);
    if (nul >= 0) {
      const row = this.row + countNewlines(chunk.subarray(0, nul));
      return done(
        new IngestError(
          "INVALID_ENCODING",
          `${this.file}: binary data (a NUL byte) at byte ${this.offset + nul}, line ${row}`,
          "This is not a UTF-8 text file (UTF-16 without a byte-order mark looks like this); check what was exported.",
          { file: this.file, row, rule: "encoding" },
        ),
      );
    }
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      // The native decoder found an error; find where, counting from the character the last chunk left open.
      const at = Math.max(0, firstInvalidUtf8(Buffer.concat([this.carry, chunk])) - this.carry.length);
      const row = this.row + countNewlines(chunk.subarray(0, at));
      return done(
        new IngestError(
          "INVALID_ENCODING",
          `${this.file}: invalid UTF-8 at byte ${this.offset + at}, line ${row}`,
          "Export the file as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8).",
          { file: this.file, row, rule: "encoding" },
        ),
      );
    }
    this.carry = unfinishedTail(chunk);
    this.offset += chunk.length;
    this.row += countNewlines(chunk);
    done(null, chunk);
  }
  override _flush(done: (e?: Error | null) => void) {
    try {
      this.decoder.decode();
      done();
    } catch {
      done(
        new IngestError(
          "INVALID_ENCODING",
          `${this.file}: the file ends inside a UTF-8 character, at byte ${this.offset}`,
          "The file is truncated or not UTF-8.",
          { file: this.file, row: this.row, rule: "encoding" },
        ),
      );
    }
  }
}
