import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { createGzip } from "node:zlib";

/** Writes lines to a file in 1 MiB chunks with back-pressure, optionally gzip-compressed. */
export class CsvSink {
  private readonly out: Writable;
  private readonly done: Promise<unknown>;
  private buffer = "";
  bytes = 0;

  constructor(path: string, gzip: boolean) {
    const file = createWriteStream(path);
    this.done = once(file, "close");
    if (gzip) {
      // Level 1: the generator should not dominate a benchmark's setup time.
      const z = createGzip({ level: 1 });
      z.pipe(file);
      this.out = z;
    } else {
      this.out = file;
    }
  }

  async line(text: string): Promise<void> {
    this.buffer += `${text}\n`;
    if (this.buffer.length >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = Buffer.from(this.buffer, "utf8");
    this.buffer = "";
    this.bytes += chunk.length;
    if (!this.out.write(chunk)) await once(this.out, "drain");
  }

  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await this.done;
  }
}
