/**
 * `lepton run NOTEBOOK… [--out DIR] [--timeout SECONDS] [--include slow,gpu] [--kernel NAME]`
 * (README "the main job"): executes notebooks headless one after another, writes each executed
 * notebook to the output folder, prints any failure in full and a summary table, and exits
 * non-zero when a notebook failed.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { chooseRunProfile, DEFAULT_CELL_TIMEOUT_SECONDS } from "./profile";
import { estimateSecondsLeft, formatDuration, progressLine, readExpectedSeconds } from "./progress";
import { formatFailure, OPT_IN_TAGS, runNotebook, type NotebookRunResult, type OptInTag } from "./run-notebook";
import { alignedColumns, formatFigure, type KeyFigure } from "../display";
import { LeptonError } from "../errors";

/** Each notebook's seconds per profile on a 2-core CPU machine, for the estimate of the time left. */
const EXPECTED_SECONDS_FILE = resolve(__dirname, "../../notebooks/expected-seconds.json");

/** Raised for a command line the runner cannot use; the message says what is wrong. */
export class UsageError extends LeptonError {}

const USAGE = "usage: lepton run NOTEBOOK.ipynb… [--out DIR] [--timeout SECONDS] [--include slow,gpu] [--kernel NAME]";

function parseIncludes(raw: string | undefined): OptInTag[] {
  const tags = (raw ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  for (const tag of tags) {
    if (!(OPT_IN_TAGS as readonly string[]).includes(tag))
      throw new UsageError(`--include: unknown tag "${tag}" (known: ${OPT_IN_TAGS.join(", ")})`);
  }
  return tags as OptInTag[];
}

function formatFigures(figures: Readonly<Record<string, KeyFigure>>): string {
  return Object.entries(figures)
    .map(([name, value]) => `${name}=${formatFigure(value)}`)
    .join(", ");
}

/** The summary table printed after a run: notebook, backend, wall and kernel CPU seconds, status, key figures. */
export function summaryTable(results: readonly NotebookRunResult[]): string {
  const rows = [
    ["notebook", "backend", "seconds", "cpu s", "status", "key figures"],
    ...results.map((r) => [
      basename(r.notebook),
      r.backend ?? "-",
      r.seconds.toFixed(1),
      r.cpuSeconds === undefined ? "-" : r.cpuSeconds.toFixed(1),
      r.status === "ok"
        ? r.skippedCells.length > 0
          ? `ok (${r.skippedCells.length} skipped)`
          : "ok"
        : `FAILED at cell ${r.failure?.cellIndex}`,
      formatFigures(r.figures),
    ]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return alignedColumns([rows[0]!, widths.map((w) => "-".repeat(w)), ...rows.slice(1)], "left").join("\n");
}

/**
 * Writes `run-summary.json` beside the executed notebooks: profile, wall and kernel CPU seconds per notebook, totals.
 */
function writeRunSummary(
  outDir: string,
  profile: string,
  totalSeconds: number,
  results: readonly NotebookRunResult[],
): void {
  mkdirSync(outDir, { recursive: true });
  const seconds = Object.fromEntries(results.map((r) => [basename(r.notebook), Math.round(r.seconds * 10) / 10]));
  const round = (x: number) => Math.round(x * 10) / 10;
  const cpu = results.filter((r) => r.cpuSeconds !== undefined);
  const cpuSeconds = Object.fromEntries(cpu.map((r) => [basename(r.notebook), round(r.cpuSeconds!)]));
  const totalCpuSeconds = Math.round(cpu.reduce((sum, r) => sum + r.cpuSeconds!, 0));
  const summary = {
    profile,
    totalSeconds: Math.round(totalSeconds),
    totalCpuSeconds,
    finished: new Date().toISOString(),
    seconds,
    cpuSeconds,
  };
  writeFileSync(join(outDir, "run-summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
}

/** Runs the `run` command; returns the process exit code. */
export async function runCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      out: { type: "string", default: "out" },
      timeout: { type: "string" },
      include: { type: "string" },
      kernel: { type: "string" },
      quiet: { type: "boolean", default: false },
    },
  });
  const notebooks = positionals.filter((p) => p.endsWith(".ipynb"));
  if (notebooks.length === 0) throw new UsageError(`no .ipynb files given\n${USAGE}`);
  const givenTimeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (givenTimeout !== undefined && !(givenTimeout > 0))
    throw new UsageError(`--timeout must be a positive number of seconds, got "${values.timeout}"`);
  const includeTags = parseIncludes(values.include);
  const { profile, why } = await chooseRunProfile();
  const timeoutSeconds = givenTimeout ?? DEFAULT_CELL_TIMEOUT_SECONDS[profile];
  console.log(`profile: ${profile} (${why})`);
  const expected = readExpectedSeconds(EXPECTED_SECONDS_FILE)[profile];
  const started = Date.now();
  const results: NotebookRunResult[] = [];
  for (const [index, notebook] of notebooks.entries()) {
    const secondsLeft = estimateSecondsLeft(expected, results, notebooks.slice(index));
    console.log(progressLine(index, notebooks.length, notebook, (Date.now() - started) / 1000, secondsLeft));
    const result = await runNotebook(notebook, {
      outPath: join(values.out, basename(notebook)),
      cellTimeoutMs: timeoutSeconds * 1000,
      includeTags,
      kernelName: values.kernel,
      env: { LEPTON_PROFILE: profile },
      log: values.quiet ? undefined : (line) => console.log(line),
    });
    results.push(result);
    if (result.failure !== undefined) console.error(`\n✖ ${formatFailure(result.failure)}\n`);
    console.log(`  ${result.status} in ${result.seconds.toFixed(1)} s → ${result.outPath}`);
  }
  const totalSeconds = (Date.now() - started) / 1000;
  console.log(`\n${summaryTable(results)}`);
  console.log(`\nprofile ${profile}: ${results.length} notebooks in ${formatDuration(totalSeconds)}`);
  writeRunSummary(values.out, profile, totalSeconds, results);
  const failed = results.filter((r) => r.status !== "ok").length;
  console.log(`\n${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}
