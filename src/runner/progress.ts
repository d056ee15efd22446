/**
 * How long a workbook run has left: each notebook's expected seconds per profile (measured on a
 * 2-core CPU machine and committed as notebooks/expected-seconds.json), scaled by how fast this
 * run has gone so far compared with those expectations.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import type { Profile } from "../config";
import { LeptonError } from "../errors";

/** Expected seconds per notebook file name, per profile. */
export type ExpectedSeconds = Partial<Record<Profile, Readonly<Record<string, number>>>>;

/** Raised when the expected-seconds file cannot be used; names the file and what is wrong. */
export class ExpectedSecondsError extends LeptonError {}

/** Reads an expected-seconds file; a missing file means no estimates, a malformed one is an error. */
export function readExpectedSeconds(path: string): ExpectedSeconds {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ExpectedSecondsError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null)
    throw new ExpectedSecondsError(`${path}: expected an object of profiles`);
  const result: Record<string, Record<string, number>> = {};
  for (const [profile, table] of Object.entries(parsed as Record<string, unknown>)) {
    if (profile.startsWith("_")) continue; // "_measured": where and how the figures were taken
    if (typeof table !== "object" || table === null)
      throw new ExpectedSecondsError(`${path}: "${profile}" must map notebooks to seconds`);
    for (const [notebook, seconds] of Object.entries(table as Record<string, unknown>)) {
      if (typeof seconds !== "number" || !(seconds >= 0)) {
        throw new ExpectedSecondsError(
          `${path}: "${profile}" → "${notebook}" must be a non-negative number of seconds`,
        );
      }
    }
    result[profile] = table as Record<string, number>;
  }
  return result as ExpectedSeconds;
}

/** A notebook already run: its file and the seconds it took. */
export interface FinishedNotebook {
  readonly notebook: string;
  readonly seconds: number;
}

/**
 * Seconds left for `remaining` notebooks (the one about to start included), or undefined when no
 * notebook of the run has an expectation. Notebooks without one count as the mean of those with
 * one; the total is scaled by this run's pace (actual / expected over finished notebooks).
 */
export function estimateSecondsLeft(
  expected: Readonly<Record<string, number>> | undefined,
  finished: readonly FinishedNotebook[],
  remaining: readonly string[],
): number | undefined {
  if (expected === undefined) return undefined;
  const known = Object.values(expected);
  if (known.length === 0) return undefined;
  const mean = known.reduce((a, b) => a + b, 0) / known.length;
  const expectOf = (notebook: string) => expected[basename(notebook)] ?? mean;
  const expectedSoFar = finished.reduce((sum, f) => sum + expectOf(f.notebook), 0);
  const actualSoFar = finished.reduce((sum, f) => sum + f.seconds, 0);
  // One slow or fast notebook should not swing the estimate wildly.
  const pace = expectedSoFar > 0 ? Math.min(4, Math.max(0.25, actualSoFar / expectedSoFar)) : 1;
  return remaining.reduce((sum, notebook) => sum + expectOf(notebook), 0) * pace;
}

/** "45 s", "3 min", "1 h 05 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** The line printed before each notebook: position, elapsed time and the estimate of what is left. */
export function progressLine(
  index: number,
  total: number,
  notebook: string,
  elapsedSeconds: number,
  secondsLeft: number | undefined,
): string {
  const left =
    secondsLeft === undefined ? "no time estimate for this profile" : `about ${formatDuration(secondsLeft)} left`;
  return `▶ [${index + 1}/${total}] ${notebook} · ${formatDuration(elapsedSeconds)} elapsed · ${left}`;
}
