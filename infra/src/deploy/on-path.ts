import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The full path of an executable on PATH, or undefined. */
export function onPath(command: string, path: string = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
