import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { commandStepSchema, pipelineJsonSchemaText, pipelineSchema } from "../src/yaml/pipeline-schema.js";

const file = new URL("../schema/pipeline.schema.json", import.meta.url);

type JsonObject = { [key: string]: unknown };
const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === "object" && !Array.isArray(value);

/** Every `properties` entry in the schema, with its path. */
function properties(schema: unknown, path = "#"): [string, JsonObject][] {
  if (!isObject(schema)) return Array.isArray(schema) ? schema.flatMap((item, i) => properties(item, `${path}/${i}`)) : [];
  return Object.entries(schema).flatMap(([key, value]) => {
    const here = `${path}/${key}`;
    const own = key === "properties" && isObject(value) ? Object.entries(value).map(([name, p]) => [`${here}/${name}`, p] as [string, JsonObject]) : [];
    return [...own, ...properties(value, here)];
  });
}

describe("schema/pipeline.schema.json", () => {
  it("is what `npm run schema` generates now (run it after changing pipeline-schema.ts)", async () => {
    expect(await readFile(file, "utf8")).toBe(pipelineJsonSchemaText());
  });

  it("has $schema, a title, and a description on every property", () => {
    const schema = JSON.parse(pipelineJsonSchemaText()) as JsonObject;
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.title).toBe("Pipewright pipeline");
    expect(schema.description).toEqual(expect.any(String));
    const all = properties(schema);
    expect(all.length).toBeGreaterThan(15);
    expect(all.filter(([, p]) => typeof p.description !== "string" || p.description === "").map(([path]) => path)).toEqual([]);
  });

  it("describes the same keys as the zod schema, and rejects unknown keys", () => {
    const schema = JSON.parse(pipelineJsonSchemaText()) as {
      properties: Record<string, unknown>;
      additionalProperties: unknown;
      required: string[];
      $defs: Record<string, unknown>;
    };
    expect(Object.keys(schema.properties)).toEqual(Object.keys(pipelineSchema.shape));
    expect(schema.required).toEqual(["name", "steps"]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.steps).toMatchObject({ items: { $ref: "#/$defs/Step" } });
    type ObjectSchema = { properties: object; required: string[]; additionalProperties: unknown };
    const step = schema.$defs.CommandStep as ObjectSchema;
    expect(Object.keys(step.properties)).toEqual(Object.keys(commandStepSchema.shape));
    // kwargs has a default, so it is optional in the file.
    expect(step.required).toEqual(["name", "command"]);
    expect(step.additionalProperties).toBe(false);
    expect((schema.$defs.ParallelGroup as ObjectSchema).required).toEqual(["name", "parallel"]);
    expect((schema.$defs.NestedPipeline as ObjectSchema).required).toEqual(["name", "pipeline"]);
    expect(Object.keys(schema.$defs).sort()).toEqual(["CommandStep", "JsonValue", "NestedPipeline", "ParallelGroup", "Step"]);
  });
});
