#!/usr/bin/env node
import { run } from "./main.ts";

// A reader that stops early (`saleslake query … | head`) closes the pipe. What is left to print
// goes nowhere, and the command ends as it would have, with its own exit code, instead of
// dying on an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE" && e.code !== "ERR_STREAM_DESTROYED") throw e;
    stream.write = (() => true) as typeof stream.write;
  });
}

process.exitCode = await run(process.argv);
