import { hostname } from "node:os";

/** Whether the process that records an execution still runs: `unknown` unless it ran on this machine. */
export type Liveness = "alive" | "gone" | "unknown";

export function processLiveness(pid: number, host: string): Liveness {
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return "unknown";
  try {
    process.kill(pid, 0); // signal 0: checks that the process exists, sends nothing
    return "alive";
  } catch (error) {
    // EPERM: it exists, but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM" ? "alive" : "gone";
  }
}
