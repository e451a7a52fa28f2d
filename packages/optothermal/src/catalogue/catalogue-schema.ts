import { z } from "zod";

const key = z.string().regex(/^[a-z][a-z0-9_]*$/, "a key is snake_case: lower-case letters, digits and _");

/** A header field: a `#Parameters:` or `#Metadata:` line, as the catalogue describes it. */
const fieldSchema = z.strictObject({
  key,
  type: z.enum(["float", "int", "string", "bool", "timestamp"]),
  unit: z.string().min(1).optional(),
  required: z.boolean().default(false),
});

/** A column of the data table. Cells are numbers (or `nan`). */
const columnSchema = z.strictObject({
  key,
  type: z.enum(["float", "int"]),
  required: z.boolean().default(false),
});

const procedureSchema = z
  .strictObject({
    description: z.string().optional(),
    needs_chip: z.boolean(),
    parameters: z.record(z.string().min(1), fieldSchema).default({}),
    metadata: z.record(z.string().min(1), fieldSchema).default({}),
    columns: z.record(z.string().min(1), columnSchema),
  })
  .superRefine((spec, ctx) => {
    for (const section of ["parameters", "metadata", "columns"] as const) {
      const seen = new Set<string>();
      const fields: Record<string, { key: string }> = spec[section];
      for (const [name, field] of Object.entries(fields)) {
        if (seen.has(field.key)) ctx.addIssue({ code: "custom", path: [section, name, "key"], message: `key \`${field.key}\` is used twice in ${section}` });
        seen.add(field.key);
      }
    }
    if (spec.needs_chip) {
      // The reader finds the chip by these keys, so a chip procedure must declare them.
      for (const [chipKey, type] of [["chip_group", "string"], ["chip_number", "int"]] as const) {
        const field = Object.values(spec.parameters).find((f) => f.key === chipKey);
        if (field?.type !== type || !field.required) {
          ctx.addIssue({ code: "custom", path: ["parameters"], message: `needs_chip: true requires a required ${type} parameter with key \`${chipKey}\`` });
        }
      }
    }
  })
  .transform(({ needs_chip, ...rest }) => ({ ...rest, needsChip: needs_chip }));

export const catalogueSchema = z.strictObject({
  version: z.literal(1),
  procedures: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, "a procedure name is the last dotted part of `#Procedure:`"), procedureSchema),
});

export type FieldType = z.infer<typeof fieldSchema>["type"];
/** A `#Parameters:` / `#Metadata:` field: its normalised key, type, unit and whether a file must have it. */
export type FieldSpec = z.infer<typeof fieldSchema>;
/** A data-table column: its normalised key, numeric type and whether a file must have it. */
export type ColumnSpec = z.infer<typeof columnSchema>;
/** One procedure: fields and columns keyed by their names as written in the raw file. */
export type ProcedureSpec = z.infer<typeof procedureSchema>;
/** The whole catalogue, procedures keyed by name (`IVg`, `It`, ...). */
export type Catalogue = z.infer<typeof catalogueSchema>;
