/** A line break as a person names it, in messages. */
export function lineBreakName(b: "\n" | "\r\n" | "\r" | undefined): string {
  return b === "\r\n" ? "CRLF" : b === "\r" ? "CR" : "LF";
}

/**
 * Counts CSV records in one pass over the bytes (RFC 4180 quoting: delimiters and line breaks
 * inside quotes, doubled quotes), keeps the header record's bytes, and finds a quote left open
 * at the end. Blank lines are not records. Far faster than a full parse: the engine parses later.
 * A line break is LF, CRLF or a CR alone (old Mac exports), as DuckDB's CSV reader and Spark's
 * line reader both take it.
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
  /**
   * Fields of the record with the most, header included, counting delimiters outside quotes
   * (engines read that many columns to keep every field of a row longer than its header).
   */
  mostFields = 0;
  /** Line on which the record being scanned started, and its first byte's offset. */
  recordRow = 1;
  recordStart = 0;
  /**
   * The first line break in the file, quoted or not (1 LF, 2 CR, 3 CRLF; 0 none yet): Spark's
   * multi-line CSV reader takes it as the file's line break, and only it.
   */
  firstBreak: 0 | 1 | 2 | 3 = 0;
  /** Line of the first break outside quotes of another kind than the first, 0 if none. */
  otherBreakRow = 0;
  /** Line on which the longest record started. */
  private longestRow = 0;
  private offset = 0;
  /** The last chunk ended in a CR: an LF opening this one belongs to it. */
  private endedInCr = false;
  /** That CR was outside quotes, and ended this line. */
  private crOutside = false;
  private crRow = 0;
  private content = false;
  /** Delimiters outside quotes in the record being scanned. */
  private delimiters = 0;
  private headerDone = false;
  private headerBytes = 0;
  private readonly headerChunks: Buffer[] = [];
  private readonly quote: number;
  private readonly delimiter: number;
  private readonly maxRecordBytes: number;
  private readonly maxHeaderBytes: number;
  private readonly onTooLong: (what: "header" | "record", row: number, bytes: number) => Error;

  constructor(options: {
    maxRecordBytes: number;
    maxHeaderBytes: number;
    onTooLong: (what: "header" | "record", row: number, bytes: number) => Error;
    quote?: number;
    /** A one-byte delimiter. Default `,`. */
    delimiter?: number;
  }) {
    this.quote = options.quote ?? 0x22;
    this.delimiter = options.delimiter ?? 0x2c;
    this.maxRecordBytes = options.maxRecordBytes;
    this.maxHeaderBytes = options.maxHeaderBytes;
    this.onTooLong = options.onTooLong;
  }

  scan(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const q = this.quote;
    const d = this.delimiter;
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
    let longestRow = this.longestRow;
    let { delimiters, mostFields } = this;
    const base = this.offset;
    const last = chunk.length - 1;
    let i = 0;
    if (this.endedInCr) {
      this.sawBreak(chunk[0] === 0x0a ? 3 : 2, this.crOutside, this.crRow);
      if (chunk[0] === 0x0a) {
        i = 1;
        if (!inQuote) recordStart = base + 1;
      }
    }
    let endedInCr = false;
    // Bytes above every byte the scan acts on (quote, delimiter, CR, LF, space, tab), and below
    // the byte-order mark's, are content and nothing else: most of a file's bytes, letters and
    // digits, take one comparison. Inside quotes content is already set.
    const plain = Math.max(q, d, 0x20);
    // A CR takes the LF right after it (i++), so a CRLF is one line break; one that ends the
    // chunk leaves that to the next.
    for (; i <= last; i++) {
      const b = chunk[i]!;
      if (b > plain && b < 0xbb) {
        content = true;
        continue;
      }
      if (inQuote) {
        if (b === q) inQuote = false;
        else if (b === 0x0a || b === 0x0d) {
          if (b === 0x0a) this.sawBreak(1, false, row);
          else if (i === last) {
            endedInCr = true;
            this.crOutside = false;
            this.crRow = row;
          } else if (chunk[i + 1] === 0x0a) {
            this.sawBreak(3, false, row);
            i++;
          } else this.sawBreak(2, false, row);
          row++;
          quotedNewlines = true;
        }
      } else if (b === q) {
        inQuote = true;
        quoteOpenedAt = row;
        content = true;
      } else if (b === 0x0a || b === 0x0d) {
        if (content) {
          records++;
          if (delimiters >= mostFields) mostFields = delimiters + 1;
          if (!headerDone) {
            headerDone = true;
            headerEnd = i;
          }
        }
        content = false;
        delimiters = 0;
        if (base + i - recordStart > longest) {
          longest = base + i - recordStart;
          longestRow = recordRow;
        }
        row++;
        recordRow = row;
        if (b === 0x0a) this.sawBreak(1, true, row - 1);
        else if (i === last) {
          endedInCr = true;
          this.crOutside = true;
          this.crRow = row - 1;
        } else if (chunk[i + 1] === 0x0a) {
          this.sawBreak(3, true, row - 1);
          i++;
        } else this.sawBreak(2, true, row - 1);
        recordStart = base + i + 1;
      } else if (b === d) {
        delimiters++;
        content = true;
      } else if (!content && b !== 0x20 && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf) {
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
    this.longestRow = longestRow;
    this.delimiters = delimiters;
    this.mostFields = mostFields;
    this.recordRow = recordRow;
    this.recordStart = recordStart;
    this.endedInCr = endedInCr;
    const wasHeaderDone = this.headerDone;
    this.headerDone = headerDone;
    this.offset += chunk.length;
    if (!wasHeaderDone && !headerDone) {
      this.headerChunks.push(chunk);
      this.headerBytes += chunk.length;
      if (this.headerBytes > this.maxHeaderBytes) throw this.onTooLong("header", 1, this.headerBytes);
    } else if (!wasHeaderDone && headerEnd >= 0) this.headerChunks.push(chunk.subarray(0, headerEnd));
    // Checked per chunk, not per byte: a record still open is refused within one chunk of passing
    // the limit, and one the chunk holds whole once the chunk is read.
    if (longest > this.maxRecordBytes) throw this.onTooLong("record", longestRow, longest);
    if (this.offset - this.recordStart > this.maxRecordBytes)
      throw this.onTooLong("record", this.recordRow, this.offset - this.recordStart);
  }

  /** The file's line break as Spark's multi-line reader finds it; LF when the file has none. */
  get lineBreak(): "\n" | "\r\n" | "\r" {
    return this.firstBreak === 3 ? "\r\n" : this.firstBreak === 2 ? "\r" : "\n";
  }

  private sawBreak(kind: 1 | 2 | 3, outside: boolean, row: number): void {
    if (this.firstBreak === 0) this.firstBreak = kind;
    else if (outside && kind !== this.firstBreak && this.otherBreakRow === 0) this.otherBreakRow = row;
  }

  finish(): void {
    if (this.endedInCr) {
      this.endedInCr = false;
      this.sawBreak(2, this.crOutside, this.crRow);
    }
    this.longestRecordBytes = Math.max(this.longestRecordBytes, this.offset - this.recordStart);
    if (this.content) {
      this.records++;
      this.mostFields = Math.max(this.mostFields, this.delimiters + 1);
      this.headerDone = true;
    }
  }

  header(): Buffer {
    return Buffer.concat(this.headerChunks);
  }
}
