import { type ParsedTokenInfo, Tokenizer, TokenType } from "@streamparser/json";

/**
 * Follows a stream of JSON tokens and finds a key that one object holds twice. Such a record
 * means two things at once: `JSON.parse` keeps the last value, DuckDB's reader the first, and
 * Spark's refuses the file, so landing refuses it instead.
 */
export class DuplicateKeys {
  /** Per open container: the keys of an object so far, null for an array. */
  private readonly open: (Set<string> | null)[] = [];
  private expectKey = false;
  private key: string | undefined;
  /** The first key found twice in one object. */
  found: string | undefined;

  readonly token = ({ token, value }: ParsedTokenInfo): void => {
    switch (token) {
      case TokenType.LEFT_BRACE:
        this.open.push(new Set());
        this.expectKey = true;
        return;
      case TokenType.LEFT_BRACKET:
        this.open.push(null);
        this.expectKey = false;
        return;
      case TokenType.RIGHT_BRACE:
      case TokenType.RIGHT_BRACKET:
        this.open.pop();
        this.expectKey = false;
        return;
      case TokenType.COMMA:
        this.expectKey = this.open.at(-1) instanceof Set;
        return;
      case TokenType.STRING:
        if (this.expectKey) this.key = value as string;
        this.expectKey = false;
        return;
      case TokenType.COLON: {
        const keys = this.open.at(-1);
        if (keys && this.key !== undefined) {
          if (keys.has(this.key)) this.found ??= this.key;
          else keys.add(this.key);
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

/** Keys of every object in a parsed value, nested ones included. */
function keysIn(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  let n = 0;
  for (const v of Object.values(value)) n += keysIn(v);
  return Array.isArray(value) ? n : n + Object.keys(value).length;
}

/**
 * A key that one object of `text` (valid JSON, parsed as `value`) holds twice, if any. Text with
 * no more key ends than `value` has keys has none, and is not tokenized again.
 */
export function duplicateKeyIn(text: string, value: unknown): string | undefined {
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
  return keys.found;
}
