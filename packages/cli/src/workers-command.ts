import type { Command as Program } from "commander";
import { listWorkers, type WorkersReport } from "@pipewright/distributed";
import type { CommandContext } from "./command-context.js";
import { addRedisOptions, checkRedisReachable, describeQueue, redisConnection, type RedisFlags } from "./executor-options.js";
import { ExitCode } from "./exit-codes.js";
import type { Colors, Output } from "./output.js";
import { formatTable } from "./table.js";

interface WorkersOptions extends RedisFlags {
  json?: boolean;
}

/** `pipewright workers`: the live workers of a queue, and how many jobs wait, run, wait to retry or failed. */
export async function workersCommand(options: WorkersOptions, output: Output): Promise<number> {
  const redis = redisConnection(options);
  await checkRedisReachable(redis);
  const report = await listWorkers(redis, options.queue !== undefined ? { queue: options.queue } : {});
  if (options.json) {
    output.out(`${JSON.stringify(report)}\n`);
    return ExitCode.SUCCESS;
  }
  output.out(formatWorkers(report, describeQueue(options), output.colors));
  return ExitCode.SUCCESS;
}

/** The report as a table of workers and a line of job counts. */
export function formatWorkers(report: WorkersReport, where: string, c: Colors, now = Date.now()): string {
  const lines = [`${c.bold("Workers")} on ${where}`];
  if (report.workers.length === 0) {
    lines.push(c.dim("  no live workers (start one with `pipewright worker --registry ./commands.js --redis …`)"));
  } else {
    const table = formatTable(
      [
        { header: "HOST" },
        { header: "PID", align: "right" },
        { header: "CONCURRENCY", align: "right" },
        { header: "JOBS DONE", align: "right" },
        { header: "STARTED" },
        { header: "LAST SEEN" },
      ],
      report.workers.map((w) => [w.host, String(w.pid), String(w.concurrency), String(w.jobsDone), localTime(w.startedAt), ago(w.lastSeen, now)]),
      c,
    );
    lines.push(table.header, ...table.rows);
    const total = report.workers.reduce((sum, w) => sum + w.concurrency, 0);
    lines.push(`  ${report.workers.length} worker${report.workers.length === 1 ? "" : "s"}, ${total} jobs at once`);
  }
  const { waiting, active, delayed, failed } = report.jobs;
  lines.push(`${c.bold("Queue")}  ${waiting} waiting · ${active} active · ${delayed} delayed · ${failed} failed`);
  return `${lines.join("\n")}\n`;
}

/** `2025-11-07 14:30:22`, local time. */
function localTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso || "?";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `4s ago`, `3m ago`. */
function ago(iso: string, now: number): string {
  const time = new Date(iso).getTime();
  if (Number.isNaN(time)) return iso || "?";
  const seconds = Math.max(0, Math.round((now - time) / 1000));
  return seconds < 120 ? `${seconds}s ago` : `${Math.round(seconds / 60)}m ago`;
}

/** Registers `pipewright workers`. */
export function registerWorkers(program: Program, context: CommandContext): void {
  const command = program.command("workers").description("List the live workers of a queue (`pipewright worker`) and the queue's depth");
  addRedisOptions(command)
    .option("--json", "the report as one JSON object")
    .addHelpText(
      "after",
      `
Examples:
  $ pipewright workers --redis redis://queue-host:6379
  $ pipewright workers --redis redis://queue-host:6379 --prefix lab --queue steps`,
    )
    .action(async (options: WorkersOptions) => {
      context.exit(await workersCommand(options, context.output));
    });
}
