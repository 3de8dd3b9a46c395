import { invalid, keyVaultName } from "./option-checks.ts";

/**
 * A paginated JSON API the pipelines copy an entity's windows from, as `saleslake ingest`'s
 * HTTP sources read it (`@saleslake/ingest`'s `HttpWindowOptions`): the window's low mark less the
 * lookback as a query parameter, the window end as another when the API takes one, page by page.
 */
export interface SourceApi {
  /** The endpoint, `https://…`. Query parameters in it are sent on every request. */
  readonly url: string;
  /** Where a response holds its records array, dotted. Default `data`; `""` when the body is the array. */
  readonly recordsPath?: string;
  readonly pagination: SourceApiPagination;
  /** Query parameter of the low mark. Default `updated_since`. */
  readonly lowParam?: string;
  /** Query parameter of the window end, for APIs that take an upper bound. Default: none. */
  readonly highParam?: string;
  /**
   * The credential header, its value a Key Vault secret the factory reads with its managed
   * identity (Key Vault Secrets User) just before the copy. Default: no credential.
   */
  readonly auth?: SourceApiAuth;
}

export type SourceApiPagination =
  | {
      readonly kind: "page";
      /** Default `page`. */
      readonly pageParam?: string;
      /** Default `1`. */
      readonly firstPage?: number;
      /** `null` sends none. Default `page_size`. */
      readonly pageSizeParam?: string | null;
      /** Default `100`. */
      readonly pageSize?: number;
      /** Where a response names the next page number. Default: page + 1 until an empty page. */
      readonly nextPagePath?: string;
    }
  | {
      readonly kind: "cursor";
      /** Default `cursor`. */
      readonly cursorParam?: string;
      /** Default `next_cursor`. */
      readonly nextCursorPath?: string;
      /** `null` sends none. Default `limit`. */
      readonly pageSizeParam?: string | null;
      /** Default `100`. */
      readonly pageSize?: number;
    };

export interface SourceApiAuth {
  /** Default `Authorization`. */
  readonly header?: string;
  /** Written before the secret with a space. Default `Bearer` for `Authorization`, nothing otherwise. */
  readonly scheme?: string;
  /** Name of the Key Vault secret holding the credential. */
  readonly secret: string;
  /** The vault. Default: the factory's `keyVaultName`. */
  readonly keyVault?: string;
}

export interface ResolvedSourceApi {
  /** `https://host[:port]`: the REST linked service's base URL. */
  readonly baseUrl: string;
  /** Path and the endpoint's own query, without the leading `/`: the dataset's relative URL. */
  readonly path: string;
  readonly query: string;
  /** Origin and path, never the query: for the manifest. */
  readonly sourceName: string;
  readonly recordsPath: readonly string[];
  readonly lowParam: string;
  readonly highParam: string | undefined;
  readonly pageSizeParam: string | null;
  readonly pageSize: number;
  readonly pagination:
    | {
        readonly kind: "page";
        readonly param: string;
        readonly first: number;
        readonly nextPath?: readonly string[];
      }
    | { readonly kind: "cursor"; readonly param: string; readonly nextPath: readonly string[] };
  readonly auth:
    | { readonly header: string; readonly prefix: string; readonly secret: string; readonly keyVault: string }
    | undefined;
}

const PARAM = /^[A-Za-z0-9_.~-]{1,64}$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const HEADER = /^[A-Za-z0-9-]{1,64}$/;
const SECRET = /^[A-Za-z0-9-]{1,127}$/;

function param(what: string, v: unknown, fallback: string): string {
  const p = v ?? fallback;
  if (typeof p !== "string" || !PARAM.test(p))
    invalid(what, v, "A query parameter name: 1-64 letters, digits and _ . ~ -.");
  return p;
}

function path(what: string, v: unknown, fallback: string): string[] {
  const p = v ?? fallback;
  if (typeof p !== "string") invalid(what, v, "A dotted path of field names, e.g. data or result.items.");
  if (p === "") return [];
  const parts = p.split(".");
  if (!parts.every((x) => FIELD.test(x)))
    invalid(what, v, "A dotted path of field names (letters, digits, _), e.g. data or result.items.");
  return parts;
}

/** Checks an API source; `what` names it in errors, `vault` is the factory's Key Vault. */
export function resolveSourceApi(what: string, api: SourceApi, vault: string): ResolvedSourceApi {
  let url: URL;
  try {
    url = new URL(api.url);
  } catch {
    return invalid(
      `${what}.url`,
      api.url,
      "An absolute https URL, e.g. https://orders.example.com/v1/lines.",
    );
  }
  if (url.protocol !== "https:" || url.username !== "" || url.password !== "" || url.hash !== "")
    invalid(
      `${what}.url`,
      `${url.protocol}//${url.host}${url.pathname}`,
      "An https URL without credentials or fragment: the factory sends the credential as a header (auth), read from Key Vault.",
    );
  const p = api.pagination;
  if (p?.kind !== "page" && p?.kind !== "cursor")
    invalid(`${what}.pagination`, p, 'pagination: { kind: "page" } or { kind: "cursor" }.');
  const pageSize = p.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100_000)
    invalid(`${what}.pagination.pageSize`, p.pageSize, "A whole number of records per page, 1-100000.");
  const pageSizeParam =
    p.pageSizeParam === null
      ? null
      : param(`${what}.pagination.pageSizeParam`, p.pageSizeParam, p.kind === "page" ? "page_size" : "limit");
  let pagination: ResolvedSourceApi["pagination"];
  if (p.kind === "page") {
    const first = p.firstPage ?? 1;
    if (!Number.isInteger(first) || first < 0)
      invalid(`${what}.pagination.firstPage`, p.firstPage, "A whole number, 0 or more.");
    pagination = {
      kind: "page",
      param: param(`${what}.pagination.pageParam`, p.pageParam, "page"),
      first,
      ...(p.nextPagePath !== undefined && {
        nextPath: path(`${what}.pagination.nextPagePath`, p.nextPagePath, ""),
      }),
    };
  } else {
    pagination = {
      kind: "cursor",
      param: param(`${what}.pagination.cursorParam`, p.cursorParam, "cursor"),
      nextPath: path(`${what}.pagination.nextCursorPath`, p.nextCursorPath, "next_cursor"),
    };
  }
  if ("nextPath" in pagination && pagination.nextPath?.length === 0)
    invalid(`${what}.pagination`, p, "The path of the next page or cursor in a response names a field.");
  let auth: ResolvedSourceApi["auth"];
  if (api.auth !== undefined) {
    const header = api.auth.header ?? "Authorization";
    if (!HEADER.test(header))
      invalid(`${what}.auth.header`, api.auth.header, "A header name: letters, digits and -.");
    const scheme = api.auth.scheme ?? (header.toLowerCase() === "authorization" ? "Bearer" : "");
    if (!/^[A-Za-z0-9-]{0,32}$/.test(scheme))
      invalid(`${what}.auth.scheme`, api.auth.scheme, "A word such as Bearer, or none.");
    if (typeof api.auth.secret !== "string" || !SECRET.test(api.auth.secret))
      invalid(
        `${what}.auth.secret`,
        api.auth.secret,
        "Give the name of the Key Vault secret holding the credential (1-127 letters, digits and hyphens), never the credential.",
        true,
      );
    auth = {
      header,
      prefix: scheme === "" ? "" : `${scheme} `,
      secret: api.auth.secret,
      keyVault: keyVaultName(`${what}.auth.keyVault`, api.auth.keyVault ?? vault),
    };
  }
  return {
    baseUrl: `${url.origin}/`,
    path: url.pathname.replace(/^\//, ""),
    query: url.search.replace(/^\?/, ""),
    sourceName: `${url.origin}${url.pathname}`,
    recordsPath: path(`${what}.recordsPath`, api.recordsPath, "data"),
    lowParam: param(`${what}.lowParam`, api.lowParam, "updated_since"),
    highParam: api.highParam === undefined ? undefined : param(`${what}.highParam`, api.highParam, ""),
    pageSizeParam,
    pageSize,
    pagination,
    auth,
  };
}

/** `a.b` → `$['a']['b']`: a JSON path as Copy's translator and pagination rules take it. */
export const jsonPath = (parts: readonly string[]) => `$${parts.map((p) => `['${p}']`).join("")}`;
