// Writes the schema-derived files the Bicep loads and the deploy applies (never retyped by hand).
import { writeGeneratedFiles } from "../src/generated-files.ts";

const written = writeGeneratedFiles(new URL("..", import.meta.url).pathname);
console.log(`infra: wrote ${written.map((f) => `generated/${f}`).join(", ")}`);
