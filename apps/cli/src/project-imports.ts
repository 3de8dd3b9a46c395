import { registerHooks } from "node:module";
import { dirname, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Packages a project's config and entity files may import without installing them. */
const PROVIDED: Record<string, () => string> = {
  "@saleslake/cli": () => new URL("./index.ts", import.meta.url).href.replace(/\.ts$/, extension()),
  "@saleslake/schema": () => import.meta.resolve("@saleslake/schema"),
};

// Built to dist/, this file is .js and so is its sibling index.
function extension(): string {
  return import.meta.url.endsWith(".ts") ? ".ts" : ".js";
}

let registered = false;

/**
 * Lets `saleslake.config.ts` and its entity files import `@saleslake/cli` and `@saleslake/schema`
 * in a folder that has not installed them (a project made by `saleslake init`, anywhere on disk):
 * when the project cannot resolve one of them, the command's own copy is used. A project that
 * installs them gets its own, as usual.
 */
export function provideProjectImports(): void {
  if (registered) return;
  registered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (e) {
        const provided = PROVIDED[specifier];
        if (provided && (e as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND")
          return { url: provided(), shortCircuit: true };
        throw e;
      }
    },
  });
}

/** A project file (the config, an entity module) that could not be loaded. */
export class ProjectFileError extends Error {
  override readonly name: string = "ProjectFileError";
  readonly code = "INVALID_PROJECT_FILE";
  readonly hint: string;
  constructor(message: string, hint: string) {
    super(message);
    this.hint = hint;
  }
}

/**
 * Imports a project's TypeScript module (with the provided imports). A syntax error names the
 * file and line, which Node's own message leaves out; a missing import names the file that asked
 * for it; so does an error of JavaScript's own raised in a file of the project folder. Typed
 * errors the module throws (a schema error, say) keep their code and hint, their message led by
 * the file and line of the project that raised them.
 */
export async function importProjectModule(path: string): Promise<Record<string, unknown>> {
  provideProjectImports();
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.name === "SyntaxError") {
      // Node puts the location, `/path/file.ts:LINE`, on the stack's first line.
      const where = /^(?:file:\/\/)?(\/[^\n]*?:\d+)\n/.exec(err.stack ?? "")?.[1] ?? path;
      throw new ProjectFileError(
        `${where}: ${err.message.split("\n")[0]}`,
        "Fix the syntax there and run again; the file runs as TypeScript with its types stripped (no enums or namespaces).",
      );
    }
    if (err.code === "ERR_MODULE_NOT_FOUND")
      throw new ProjectFileError(
        `${path}: ${err.message.split("\n")[0]}`,
        "Install the package in the project (npm install), or fix the import's path.",
      );
    // A mistake in the project's own code (a misspelt method, say: `t.text is not a function`):
    // the file and line it happened at, from the first frame of the stack in the project folder.
    // Typed errors (a SchemaError naming the entity and column) keep their own message.
    if (e instanceof Error && BUILTIN_ERRORS.has(e.name) && !("hint" in e)) {
      const where = projectFrame(e.stack ?? "", dirname(path));
      if (where)
        throw new ProjectFileError(
          `${where}: ${e.message.split("\n")[0]}`,
          "Fix the code there and run again.",
        );
    }
    // A typed error (a SchemaError naming the entity and column) keeps its code and hint, and
    // says which file and line of the project made the definition it refuses.
    if (e instanceof Error && "code" in e && "hint" in e) {
      const where = projectFrame(e.stack ?? "", dirname(path));
      if (where && !e.message.startsWith(where)) e.message = `${where}: ${e.message}`;
    }
    throw e;
  }
}

/** JavaScript's own errors, which say what went wrong but not where in the project. */
const BUILTIN_ERRORS = new Set(["TypeError", "ReferenceError", "RangeError", "Error"]);

/** `/path/file.ts:LINE` of the first stack frame in a file below `folder`, if any. */
function projectFrame(stack: string, folder: string): string | undefined {
  for (const m of stack.matchAll(/\(?((?:file:\/\/)?\/[^\s()]+?):(\d+):\d+\)?$/gm)) {
    const file = m[1]!.startsWith("file:") ? fileURLToPath(m[1]!) : m[1]!;
    if (file.startsWith(`${folder}${sep}`) && !file.includes(`${sep}node_modules${sep}`))
      return `${file}:${m[2]}`;
  }
  return undefined;
}
