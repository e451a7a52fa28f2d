import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/** Whether the process that records an execution (or holds a lock) still runs: `unknown` unless it ran on this machine. */
export type Liveness = "alive" | "gone" | "unknown";

/**
 * How much later than its recorded time a process may seem to have started and still be the one that
 * recorded it: the wall clock may have been stepped (NTP) since, and /proc counts whole seconds.
 */
const START_TOLERANCE_MS = 10_000;

/**
 * Whether process `pid` on `host` still runs. With `since` (when that process recorded something, ISO
 * or epoch ms), a process with that pid that started later is another one (the pid was reused, after a
 * reboot or in a container where every run gets the same pid): `gone`. Without it, any process with
 * that pid counts. This process itself is always `alive`: callers that know what it runs decide that case.
 */
export function processLiveness(pid: number, host: string, since?: string | number): Liveness {
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return "unknown";
  const recordedAt = since === undefined ? Number.NaN : typeof since === "number" ? since : Date.parse(since);
  if (pid === process.pid) return "alive";
  try {
    process.kill(pid, 0); // signal 0: checks that the process exists, sends nothing
  } catch (error) {
    // EPERM: it exists, but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return "gone";
  }
  if (!Number.isNaN(recordedAt)) {
    const started = linuxProcessStartMs(pid);
    if (started !== undefined && started > recordedAt + START_TOLERANCE_MS) return "gone";
  }
  return "alive";
}

/** When process `pid` started, from /proc (Linux); undefined where that cannot be read. */
function linuxProcessStartMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: fields are counted after its ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]); // field 22: start time, in clock ticks after boot
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(bootSeconds)) return undefined;
    return bootSeconds * 1000 + (ticks / CLOCK_TICKS_PER_SECOND) * 1000;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
