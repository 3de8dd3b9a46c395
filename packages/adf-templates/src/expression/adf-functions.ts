/**
 * The functions of the Data Factory expression language with their arity, from the published
 * function reference. Names match case-insensitively, as in the service.
 */
export interface AdfFunction {
  readonly name: string;
  readonly minArgs: number;
  /** `Infinity` for variadic functions. */
  readonly maxArgs: number;
}

const VARIADIC = Number.POSITIVE_INFINITY;

const TABLE: readonly (readonly [string, number, number])[] = [
  // string
  ["concat", 1, VARIADIC],
  ["endsWith", 2, 2],
  ["guid", 0, 1],
  ["indexOf", 2, 2],
  ["lastIndexOf", 2, 2],
  ["replace", 3, 3],
  ["split", 2, 2],
  ["startsWith", 2, 2],
  ["substring", 2, 3],
  ["toLower", 1, 1],
  ["toUpper", 1, 1],
  ["trim", 1, 1],
  // collection
  ["contains", 2, 2],
  ["empty", 1, 1],
  ["first", 1, 1],
  ["intersection", 2, VARIADIC],
  ["join", 2, 2],
  ["last", 1, 1],
  ["length", 1, 1],
  ["skip", 2, 2],
  ["take", 2, 2],
  ["union", 2, VARIADIC],
  // logical
  ["and", 2, VARIADIC],
  ["equals", 2, 2],
  ["greater", 2, 2],
  ["greaterOrEquals", 2, 2],
  ["if", 3, 3],
  ["less", 2, 2],
  ["lessOrEquals", 2, 2],
  ["not", 1, 1],
  ["or", 2, VARIADIC],
  // conversion
  ["array", 1, 1],
  ["base64", 1, 1],
  ["base64ToBinary", 1, 1],
  ["base64ToString", 1, 1],
  ["binary", 1, 1],
  ["bool", 1, 1],
  ["coalesce", 1, VARIADIC],
  ["createArray", 1, VARIADIC],
  ["dataUri", 1, 1],
  ["dataUriToBinary", 1, 1],
  ["dataUriToString", 1, 1],
  ["decodeBase64", 1, 1],
  ["decodeDataUri", 1, 1],
  ["decodeUriComponent", 1, 1],
  ["encodeUriComponent", 1, 1],
  ["float", 1, 1],
  ["int", 1, 1],
  ["json", 1, 1],
  ["string", 1, 1],
  ["uriComponent", 1, 1],
  ["uriComponentToBinary", 1, 1],
  ["uriComponentToString", 1, 1],
  ["xml", 1, 1],
  ["xpath", 2, 2],
  // math
  ["add", 2, 2],
  ["div", 2, 2],
  ["max", 1, VARIADIC],
  ["min", 1, VARIADIC],
  ["mod", 2, 2],
  ["mul", 2, 2],
  ["rand", 2, 2],
  ["range", 2, 2],
  ["sub", 2, 2],
  // date
  ["addDays", 2, 3],
  ["addHours", 2, 3],
  ["addMinutes", 2, 3],
  ["addSeconds", 2, 3],
  ["addToTime", 3, 4],
  ["convertFromUtc", 2, 3],
  ["convertTimeZone", 3, 4],
  ["convertToUtc", 2, 3],
  ["dayOfMonth", 1, 1],
  ["dayOfWeek", 1, 1],
  ["dayOfYear", 1, 1],
  ["formatDateTime", 1, 3],
  ["getFutureTime", 2, 3],
  ["getPastTime", 2, 3],
  ["startOfDay", 1, 2],
  ["startOfHour", 1, 2],
  ["startOfMonth", 1, 2],
  ["subtractFromTime", 3, 4],
  ["ticks", 1, 1],
  ["utcNow", 0, 1],
  // system: context accessors
  ["pipeline", 0, 0],
  ["activity", 1, 1],
  ["variables", 1, 1],
  ["item", 0, 0],
  ["trigger", 0, 0],
  ["dataset", 0, 0],
  ["linkedService", 0, 0],
];

const BY_NAME = new Map<string, AdfFunction>(
  TABLE.map(([name, minArgs, maxArgs]) => [name.toLowerCase(), { name, minArgs, maxArgs }]),
);

/** The function named `name` (any case), or undefined when the language has none. */
export function adfFunction(name: string): AdfFunction | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Every function name, in the reference's spelling. */
export const ADF_FUNCTION_NAMES: readonly string[] = TABLE.map(([name]) => name);
