import type { Readable } from "node:stream";
import { Tokenizer, TokenType } from "@streamparser/json";

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The text of each element of a JSON array, read as a stream: only the chunks holding the element
 * being read are kept, so a file of any size is read in about the memory of its largest element.
 * The caller parses each text as it needs (numbers exactly, say). The input is a JSON array, as
 * landing checks; a UTF-8 byte-order mark before it is skipped.
 */
export async function* jsonArrayElements(input: Readable): AsyncGenerator<string> {
  const tokenizer = new Tokenizer();
  let depth = 0;
  /** Byte offset where the object or array being read as an element starts, -1 between elements. */
  let start = -1;
  /** Elements completed by the last chunk: byte ranges, or the text of a scalar. */
  const done: ([number, number] | string)[] = [];
  tokenizer.onToken = ({ token, value, offset }) => {
    if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) {
      if (depth === 1) start = offset;
      depth++;
    } else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) {
      depth--;
      if (depth === 1) {
        done.push([start, offset + 1]);
        start = -1;
      }
    } else if (depth === 1 && token !== TokenType.COMMA) done.push(JSON.stringify(value));
  };
  /** The chunks from the one where the open element starts; `from` is the first one's offset. */
  let chunks: Buffer[] = [];
  let from = 0;
  /** The stream's first bytes, until there are three to tell a byte-order mark by. */
  let head: Buffer | undefined = Buffer.alloc(0);
  for await (const c of input) {
    let chunk = c as Buffer;
    if (head !== undefined) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 3) continue;
      chunk = head.subarray(0, 3).equals(UTF8_BOM) ? head.subarray(3) : head;
      head = undefined;
    }
    chunks.push(chunk);
    tokenizer.write(chunk);
    if (done.length > 0) {
      // Joined once per chunk that ends elements, not once per element.
      const held = chunks.length === 1 ? chunk : Buffer.concat(chunks);
      for (const e of done.splice(0))
        yield typeof e === "string" ? e : held.subarray(e[0] - from, e[1] - from).toString("utf8");
      chunks = [held];
    }
    // Keep only the bytes of the open element, if any.
    if (start < 0) {
      from += chunks.reduce((n, b) => n + b.length, 0);
      chunks = [];
    } else {
      while (from + chunks[0]!.length <= start) from += chunks.shift()!.length;
      chunks[0] = chunks[0]!.subarray(start - from);
      from = start;
    }
  }
  // A stream of fewer than three bytes holds no array (landing refuses it); read what it has.
  if (head !== undefined && head.length > 0) tokenizer.write(head);
  tokenizer.end();
}
