/**
 * Counts CSV records in one pass over the bytes (RFC 4180 quoting: delimiters and line breaks
 * inside quotes, doubled quotes), keeps the header record's bytes, and finds a quote left open
 * at the end. Blank lines are not records. Far faster than a full parse: the engine parses later.
 */
export class CsvScanner {
  records = 0;
  /** Line number (1-based) the scan has reached. */
  row = 1;
  inQuote = false;
  quoteOpenedAt = 0;
  /** A line break was found inside a quoted field (engines read such files in one thread). */
  quotedNewlines = false;
  /** Bytes of the longest record seen, line break excluded (engines size their read buffers by it). */
  longestRecordBytes = 0;
  /** Line on which the record being scanned started, and its first byte's offset. */
  recordRow = 1;
  recordStart = 0;
  private offset = 0;
  private content = false;
  private headerDone = false;
  private headerBytes = 0;
  private readonly headerChunks: Buffer[] = [];
  private readonly quote: number;
  private readonly maxRecordBytes: number;
  private readonly maxHeaderBytes: number;
  private readonly onTooLong: (what: "header" | "record", row: number, bytes: number) => Error;

  constructor(options: {
    maxRecordBytes: number;
    maxHeaderBytes: number;
    onTooLong: (what: "header" | "record", row: number, bytes: number) => Error;
    quote?: number;
  }) {
    this.quote = options.quote ?? 0x22;
    this.maxRecordBytes = options.maxRecordBytes;
    this.maxHeaderBytes = options.maxHeaderBytes;
    this.onTooLong = options.onTooLong;
  }

  scan(chunk: Buffer): void {
    const q = this.quote;
    let headerEnd = -1;
    // State in locals for the hot loop (field access per byte is several times slower), written back after.
    let {
      inQuote,
      content,
      row,
      records,
      headerDone,
      quoteOpenedAt,
      recordRow,
      recordStart,
      quotedNewlines,
    } = this;
    let longest = this.longestRecordBytes;
    const base = this.offset;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (inQuote) {
        if (b === q) inQuote = false;
        else if (b === 0x0a) {
          row++;
          quotedNewlines = true;
        }
      } else if (b === q) {
        inQuote = true;
        quoteOpenedAt = row;
        content = true;
      } else if (b === 0x0a) {
        if (content) {
          records++;
          if (!headerDone) {
            headerDone = true;
            headerEnd = i;
          }
        }
        content = false;
        row++;
        recordRow = row;
        if (base + i - recordStart > longest) longest = base + i - recordStart;
        recordStart = base + i + 1;
      } else if (
        !content &&
        b !== 0x0d &&
        b !== 0x20 &&
        b !== 0x09 &&
        b !== 0xef &&
        b !== 0xbb &&
        b !== 0xbf
      ) {
        content = true;
      }
    }
    this.inQuote = inQuote;
    this.content = content;
    this.row = row;
    this.records = records;
    this.quoteOpenedAt = quoteOpenedAt;
    this.quotedNewlines = quotedNewlines;
    this.longestRecordBytes = longest;
    this.recordRow = recordRow;
    this.recordStart = recordStart;
    const wasHeaderDone = this.headerDone;
    this.headerDone = headerDone;
    this.offset += chunk.length;
    if (!wasHeaderDone && !headerDone) {
      this.headerChunks.push(chunk);
      this.headerBytes += chunk.length;
      if (this.headerBytes > this.maxHeaderBytes) throw this.onTooLong("header", 1, this.headerBytes);
    } else if (!wasHeaderDone && headerEnd >= 0) this.headerChunks.push(chunk.subarray(0, headerEnd));
    // Checked per chunk, not per byte: a record is refused within one chunk of passing the limit.
    if (this.offset - this.recordStart > this.maxRecordBytes)
      throw this.onTooLong("record", this.recordRow, this.offset - this.recordStart);
  }

  finish(): void {
    this.longestRecordBytes = Math.max(this.longestRecordBytes, this.offset - this.recordStart);
    if (this.content) {
      this.records++;
      this.headerDone = true;
    }
  }

  header(): Buffer {
    return Buffer.concat(this.headerChunks);
  }
}
