import { type ParsedTokenInfo, Tokenizer, TokenType } from "@streamparser/json";
import { RawJson } from "./exact-json.ts";

/**
 * Follows a stream of JSON tokens and finds a key that one object holds twice. Such a record
 * means two things at once: `JSON.parse` keeps the last value, DuckDB's reader the first, and
 * Spark's refuses the file, so landing refuses it instead.
 */
export class DuplicateKeys {
  /**
   * Per open container: an object's keys so far and the key being read, or an array's index.
   */
  private readonly open: { keys: Set<string> | null; at: string | number }[] = [];
  private expectKey = false;
  private key: string | undefined;
  /** The first key found twice in one object. */
  found: string | undefined;
  /** Where the object holding `found` is, from the outermost value: keys and array indexes. */
  foundAt: readonly (string | number)[] = [];

  readonly token = ({ token, value }: ParsedTokenInfo): void => {
    switch (token) {
      case TokenType.LEFT_BRACE:
        this.open.push({ keys: new Set(), at: "" });
        this.expectKey = true;
        return;
      case TokenType.LEFT_BRACKET:
        this.open.push({ keys: null, at: 0 });
        this.expectKey = false;
        return;
      case TokenType.RIGHT_BRACE:
      case TokenType.RIGHT_BRACKET:
        this.open.pop();
        this.expectKey = false;
        return;
      case TokenType.COMMA: {
        const inner = this.open.at(-1);
        this.expectKey = inner?.keys != null;
        if (inner && inner.keys === null) inner.at = (inner.at as number) + 1;
        return;
      }
      case TokenType.STRING:
        if (this.expectKey) this.key = value as string;
        this.expectKey = false;
        return;
      case TokenType.COLON: {
        const inner = this.open.at(-1);
        if (inner?.keys && this.key !== undefined) {
          if (!inner.keys.has(this.key)) inner.keys.add(this.key);
          else if (this.found === undefined) {
            this.found = this.key;
            this.foundAt = this.open.slice(0, -1).map((c) => c.at);
          }
          inner.at = this.key;
        }
        this.key = undefined;
        return;
      }
      default:
        this.expectKey = false;
    }
  };
}

/**
 * Ends of keys in JSON text (a quote, maybe blanks, a colon): at least the number of keys it has.
 * A walk from colon to colon, several times faster than a regular expression over the text.
 */
function keyEnds(text: string): number {
  let n = 0;
  for (let i = text.indexOf(":"); i >= 0; i = text.indexOf(":", i + 1)) {
    let j = i - 1;
    let c = text.charCodeAt(j);
    while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = text.charCodeAt(--j);
    if (c === 0x22) n++;
  }
  return n;
}

/** Keys of every object in a parsed value, nested ones included (a raw JSON number has none). */
function keysIn(value: unknown): number {
  if (value === null || typeof value !== "object" || RawJson.isRawJSON(value)) return 0;
  let n = 0;
  for (const v of Object.values(value)) n += keysIn(v);
  return Array.isArray(value) ? n : n + Object.keys(value).length;
}

/** A key one object holds twice, and where that object is (see `DuplicateKeys.foundAt`). */
export interface DuplicateKey {
  readonly key: string;
  readonly at: readonly (string | number)[];
}

/**
 * A key that one object of `text` (valid JSON, parsed as `value`) holds twice, if any. Text with
 * no more key ends than `value` has keys has none, and is not tokenized again.
 */
export function duplicateKeyIn(text: string, value: unknown): DuplicateKey | undefined {
  const ends = keyEnds(text);
  if (
    value === null ||
    typeof value !== "object" ||
    ends <= Object.keys(value).length ||
    ends <= keysIn(value)
  )
    return undefined;
  const keys = new DuplicateKeys();
  const tokenizer = new Tokenizer();
  tokenizer.onToken = keys.token;
  tokenizer.write(text);
  return keys.found === undefined ? undefined : { key: keys.found, at: keys.foundAt };
}

/** A place in a JSON value as a JSONPath: `$.data[3]`, `$["odd key"]`. */
export function jsonPath(at: readonly (string | number)[]): string {
  return `$${at
    .map((s) =>
      typeof s === "number" ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`,
    )
    .join("")}`;
}
