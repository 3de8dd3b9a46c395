/** The values a Bicep file is read into: JSON, plus what only Bicep can evaluate. */

/** An expression the reader keeps as text (`storage.id`, `'${prefix}-logs'`, `union(a, b)`). */
export class BicepExpression {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** `[for item in source: body]`, or `[for (item, i) in source: if (filter) body]`. */
export class BicepLoop {
  readonly item: string;
  readonly index: string | undefined;
  readonly source: string;
  readonly filter: string | undefined;
  readonly body: BicepValue;
  constructor(
    item: string,
    index: string | undefined,
    source: string,
    filter: string | undefined,
    body: BicepValue,
  ) {
    this.item = item;
    this.index = index;
    this.source = source;
    this.filter = filter;
    this.body = body;
  }
}

export type BicepValue =
  | string
  | number
  | boolean
  | null
  | BicepExpression
  | BicepLoop
  | readonly BicepValue[]
  | { readonly [key: string]: BicepValue };

export function isBicepObject(v: BicepValue | undefined): v is { readonly [key: string]: BicepValue } {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof BicepExpression) &&
    !(v instanceof BicepLoop)
  );
}

/** One `resource` declaration, top-level or nested in its parent's body. */
export interface BicepResource {
  readonly file: string;
  readonly line: number;
  readonly symbol: string;
  /** Fully qualified type: a nested `'containers@…'` is resolved against its parent. */
  readonly type: string;
  readonly apiVersion: string;
  readonly existing: boolean;
  /** The `if (…)` of a conditional resource. */
  readonly condition: string | undefined;
  /** The `for` of a resource loop; `body` is then the body of one iteration. */
  readonly loop: Omit<BicepLoop, "body"> | undefined;
  /** The symbol of the enclosing resource, for nested declarations. */
  readonly parentSymbol: string | undefined;
  readonly body: { readonly [key: string]: BicepValue };
}

export interface BicepModule {
  readonly file: string;
  readonly line: number;
  readonly symbol: string;
  readonly path: string;
}

export interface BicepParam {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  /** Declared with `@secure()`. */
  readonly secure: boolean;
  readonly hasDefault: boolean;
}

/** A file's `loadJsonContent` / `loadTextContent` / `loadFileAsBase64` targets. */
export interface BicepLoad {
  readonly file: string;
  readonly line: number;
  readonly fn: string;
  readonly path: string;
}

export interface BicepFile {
  readonly file: string;
  readonly resources: readonly BicepResource[];
  readonly modules: readonly BicepModule[];
  readonly params: readonly BicepParam[];
  readonly vars: ReadonlyMap<string, BicepValue>;
  readonly loads: readonly BicepLoad[];
}
