import { registerHooks } from "node:module";

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
