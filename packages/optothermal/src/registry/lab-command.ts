import type { Command, Json, StepContext } from "pipewright";
import { PermanentError } from "pipewright";
import { z } from "zod";

/**
 * A registry command whose args are checked against a zod schema: when the step is defined (so
 * `pipewright validate` and a YAML load report a misspelt or mistyped arg before anything runs) and
 * again at run time, when `${{ ... }}` templates have their values.
 */
export function labCommand<Schema extends z.ZodObject>(
  schema: Schema,
  run: (args: z.output<Schema>, ctx: StepContext) => Promise<Json>,
): Command<Record<string, Json>> {
  const strict = schema.strict();
  const command = async (args: Record<string, Json>, ctx: StepContext): Promise<Json> => {
    const parsed = strict.safeParse(args);
    // Bad args stay bad on a retry.
    if (!parsed.success) throw new PermanentError(describeIssues(parsed.error).join("; "));
    return run(parsed.data as z.output<Schema>, ctx);
  };
  command.checkArgs = (args: Record<string, Json>): string[] => {
    // A template is checked when it has its value, at run time.
    const known = Object.fromEntries(Object.entries(args).filter(([, value]) => !(typeof value === "string" && value.includes("${{"))));
    const parsed = strict.partial().safeParse(known);
    return parsed.success ? [] : describeIssues(parsed.error);
  };
  return command;
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") return `unknown arg${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `\`${k}\``).join(", ")}`;
    return `arg \`${issue.path.join(".")}\`: ${issue.message}`;
  });
}
