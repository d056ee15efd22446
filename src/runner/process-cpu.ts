/**
 * CPU seconds a process has used, its own and its reaped children's, from /proc (Linux).
 * The runner reports them beside wall seconds: on a shared machine the wall time of a notebook
 * depends on the other jobs, while the kernel's CPU time is close to what it takes alone.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100; // Linux's USER_HZ on every mainstream architecture
    }
  }
  return ticksPerSecond;
}

/** Fields 14–17 of /proc/PID/stat (utime, stime, cutime, cstime); the name field may hold spaces. */
export function parseProcStatCpuTicks(stat: string): number {
  const afterName = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // afterName[0] is field 3 (state), so field N is afterName[N - 3].
  const ticks = [14, 15, 16, 17].map((field) => Number(afterName[field - 3]));
  if (ticks.some((t) => !Number.isFinite(t))) throw new Error(`unexpected /proc stat line: ${stat.slice(0, 120)}`);
  return ticks.reduce((a, b) => a + b, 0);
}

/** The process's CPU seconds so far, or undefined where /proc is not there (not Linux, or it exited). */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  return parseProcStatCpuTicks(stat) / clockTicks();
}
