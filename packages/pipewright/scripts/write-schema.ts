/** Writes schema/pipeline.schema.json from the zod schema of pipeline files (`npm run schema`). */
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { pipelineJsonSchemaText } from "../src/yaml/pipeline-schema.js";

const target = new URL("../schema/pipeline.schema.json", import.meta.url);
await mkdir(new URL(".", target), { recursive: true });
await writeFile(target, pipelineJsonSchemaText());
console.log(`wrote ${fileURLToPath(target)}`);
