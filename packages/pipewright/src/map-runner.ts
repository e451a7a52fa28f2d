import { createHash } from "node:crypto";
import { setImmediate as nextTurn } from "node:timers/promises";
import { withRetries, type RetryOutcome } from "./attempts.js";
import { errorMessage, PermanentError } from "./errors.js";
import { EventLoopTurns } from "./event-loop-turns.js";
import type { ExpressionScope } from "./expressions/expression.js";
import { resolveTemplate } from "./expressions/template.js";
import { itemScope } from "./expression-scope.js";
import { canonicalJson } from "./fingerprint.js";
import { toJsonValue } from "./json-value.js";
import { allowedFailuresLimit } from "./map-options.js";
import { failStep, stepContext, type RunEnvironment, type StepOutcome } from "./step-runner.js";
import type { StepDefinition } from "./step-definition.js";
import type { Json } from "./types.js";

const LONGEST_PLAIN_KEY = 64;
const FAILURES_IN_MESSAGE = 5;

/** What a map step returns: every item's output (null where it failed), and the failures. */
export interface MapOutput {
  total: number;
  succeeded: number;
  failed: number;
  /** One per item, in the order of the items. */
  outputs: Json[];
  failures: Array<{ index: number; item: Json; error: string }>;
  [key: string]: Json;
}

/**
 * Runs a map step: the command once per item, `concurrency` at a time, each item with its own retries.
 * Items that succeeded in the execution resumed are not run again. When more items fail than allowed,
 * no new item starts and those running are asked to stop.
 */
export async function runMapStep(
  step: StepDefinition,
  index: number,
  scope: () => ExpressionScope,
  env: RunEnvironment,
): Promise<StepOutcome> {
  const { state, clock } = env;
  const map = step.map as NonNullable<StepDefinition["map"]>;
  const params = step.params ?? env.params;
  const startedAt = clock.now();
  const elapsed = () => (clock.now() - startedAt) / 1000;

  let items: Json[];
  try {
    items = await mapItems(step, index, scope, env, params);
  } catch (error) {
    return await failStep(state, step, index, errorMessage(error), elapsed());
  }
  const total = items.length;
  const allowed = allowedFailuresLimit(map.allowedFailures, total) ?? 0;
  const keys = items.map(itemKey);
  const restored = await state.mapStarted(index, keys, step.options.retryCount + 1);
  const records = state.record.steps[index]?.items ?? [];
  const pending = records.flatMap((record, i) => (record ? [] : [i]));
  let done = restored;
  let failed = 0;
  const reportProgress = () => state.stepProgress(index, done, total, failed);
  if (state.listens("stepProgress")) reportProgress();

  const stop = new AbortController();
  const onAbort = () => stop.abort(env.signal.reason);
  if (env.signal.aborted) onAbort();
  env.signal.addEventListener("abort", onAbort, { once: true });
  const retryEnv = { clock, random: env.random, signal: stop.signal };
  let next = 0;
  const turns = new EventLoopTurns();

  // One context for all items, copied per attempt: closures made per item cost (tsx names each one).
  const baseContext = { ...stepContext(step, index, 1, stop.signal, env, params), progress: () => {} };
  const runItem = (i: number, item: Json): Promise<RetryOutcome> => {
    let args = step.options.args;
    try {
      if (step.args.hasExpressions) args = resolveTemplate(step.args, itemScope(scope(), item, i)) as Record<string, Json>;
    } catch (error) {
      return Promise.resolve({ ok: false, error, attempts: 0, cancelled: false }); // retrying would give the same
    }
    const task = { runId: env.runId, stepName: step.name, commandName: step.commandName, command: step.command, args: { ...args, [map.itemArg]: item } };
    return withRetries(step.options, retryEnv, async (attempt, signal) => {
      const ctx = { ...baseContext, attempt, signal, item, itemIndex: i };
      return toJsonValue(await env.executor.run(task, ctx), `The output of item ${i} of step "${step.name}"`);
    });
  };

  const worker = async () => {
    while (next < pending.length && !stop.signal.aborted) {
      const i = pending[next++] as number;
      const item = items[i] as Json;
      const outcome = await runItem(i, item);
      if (!outcome.ok && outcome.cancelled) break; // not recorded: it runs again on resume
      const key = keys[i] as string;
      if (outcome.ok) {
        state.itemFinished(index, i, { key, status: "success", attempts: outcome.attempts, output: outcome.value as Json, error: undefined });
      } else {
        const error = errorMessage(outcome.error);
        state.itemFinished(index, i, { key, status: "failed", attempts: outcome.attempts, output: null, error });
        state.stepLog(index, `item ${i} failed after ${outcome.attempts} attempt${outcome.attempts === 1 ? "" : "s"}: ${error}`);
        failed++;
        if (failed > allowed) stop.abort(new Error(`more than ${allowed} item${allowed === 1 ? "" : "s"} failed`));
      }
      done++;
      if (state.listens("stepProgress")) reportProgress();
      if (turns.due()) {
        await nextTurn();
        turns.taken();
      }
    }
  };
  const workers = Math.max(1, Math.min(map.concurrency ?? env.concurrency, pending.length));
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    env.signal.removeEventListener("abort", onAbort);
  }

  if (env.signal.aborted) {
    await state.stepCancelled(index, errorMessage(env.signal.reason), elapsed());
    return "cancelled";
  }
  const output = mapOutput(items, state.record.steps[index]?.items ?? []);
  if (output.failed > allowed) {
    const message = `${output.failed} of ${total} items failed (allowed: ${allowed})${stop.signal.aborted ? ", the rest did not run" : ""}: ${describeFailures(output.failures)}`;
    return await failStep(state, step, index, message, elapsed());
  }
  await state.stepSucceeded(index, output, elapsed());
  return "success";
}

async function mapItems(
  step: StepDefinition,
  index: number,
  scope: () => ExpressionScope,
  env: RunEnvironment,
  params: Readonly<Record<string, string>>,
): Promise<Json[]> {
  const map = step.map as NonNullable<StepDefinition["map"]>;
  const items =
    typeof map.items === "function"
      ? await map.items(stepContext(step, index, 1, env.signal, env, params))
      : map.itemsTemplate
        ? resolveTemplate(map.itemsTemplate, scope())
        : map.items;
  if (!Array.isArray(items)) {
    const source = typeof map.items === "string" ? ` (${map.items})` : "";
    throw new PermanentError(`expected the items of map step "${step.name}"${source} to be a list, got ${JSON.stringify(items)?.slice(0, 100)}`);
  }
  return toJsonValue(items, `The items of step "${step.name}"`) as Json[];
}

/** What identifies an item across executions: its value, so that resume finds it even if the list changed. */
function itemKey(item: Json): string {
  const text = canonicalJson(item);
  return text.length <= LONGEST_PLAIN_KEY ? text : createHash("sha256").update(text).digest("hex").slice(0, 32);
}

function mapOutput(items: readonly Json[], records: ReadonlyArray<{ status: string; output: Json; error: string | undefined } | null>): MapOutput {
  const outputs: Json[] = [];
  const failures: MapOutput["failures"] = [];
  let succeeded = 0;
  items.forEach((item, i) => {
    const record = records[i];
    outputs.push(record?.status === "success" ? record.output : null);
    if (record?.status === "success") succeeded++;
    else if (record) failures.push({ index: i, item, error: record.error ?? "" });
  });
  return { total: items.length, succeeded, failed: failures.length, outputs, failures };
}

function describeFailures(failures: MapOutput["failures"]): string {
  const shown = failures.slice(0, FAILURES_IN_MESSAGE).map((f) => `item ${f.index} (${JSON.stringify(f.item)?.slice(0, 80)}): ${f.error}`);
  const more = failures.length - shown.length;
  return shown.join("; ") + (more > 0 ? `; and ${more} more` : "");
}
