/**
 * `npm run bench -- cleaning` (Seed 000 §2.2 at scale): the flights pipeline — read CSV,
 * drop missing, min-max 3 columns, one-hot `origin`, group means by `destination` — on vega-datasets'
 * flights-3m (a CSV made once from its parquet, with `hour` derived from `date`), run by src/data
 * (polars engine) and by pandas in the same run, each in its own process so peak RSS is its own.
 * Checks that both give the same group means, prints a table, appends it to bench/RESULTS.md.
 * Options: --rows N (first N flights, default 3000000), --danfo N (also time danfo 1.2 on N rows),
 * --dry (print only, do not append to RESULTS.md).
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import pl from "nodejs-polars";
import { dropMissing, groupMeans, MinMaxScaler, oneHotEncode } from "../src/data/cleaning";
import { readCsvFrame } from "../src/data/frame";

const ROOT = resolve(__dirname, "..");
const OUT = join(ROOT, "out", "bench");
const PYTHON = "/usr/bin/python3";

/** One engine's run of the pipeline. */
interface EngineRun {
  readonly engine: string;
  readonly rows: number;
  readonly seconds: Readonly<Record<string, number>>;
  readonly total: number;
  readonly peakRssMiB: number;
  readonly groups: number;
  readonly columns: number;
  readonly checksum: Readonly<Record<string, number>>;
}

function flightsCsv(rows: number): string {
  const path = join(OUT, `flights-${rows}.csv`);
  if (existsSync(path)) return path;
  mkdirSync(OUT, { recursive: true });
  const parquet = join(ROOT, "node_modules", "vega-datasets", "data", "flights-3m.parquet");
  const frame = pl.readParquet(parquet, { numRows: rows });
  frame
    .select(
      pl.col("date").date.strftime("%Y-%m-%d %H:%M").alias("date"),
      pl.col("delay"),
      pl.col("distance"),
      pl.col("date").date.hour().cast(pl.Int64).alias("hour"),
      pl.col("origin"),
      pl.col("destination"),
    )
    .writeCSV(path);
  return path;
}

function timed<T>(seconds: Record<string, number>, step: string, work: () => T): T {
  const start = performance.now();
  const result = work();
  seconds[step] = (performance.now() - start) / 1000;
  return result;
}

/** Runs the pipeline with src/data in this process and prints its EngineRun as JSON (called in a child process). */
export function runLepton(csv: string): void {
  const seconds: Record<string, number> = {};
  const start = performance.now();
  const frame = timed(seconds, "read", () => readCsvFrame(csv));
  const dropped = timed(seconds, "dropMissing", () => dropMissing(frame).frame);
  const scaled = timed(
    seconds,
    "minMax",
    () => MinMaxScaler.fit(dropped, ["delay", "distance", "hour"]).transform(dropped).frame,
  );
  const encoded = timed(seconds, "oneHot", () => oneHotEncode(scaled, ["origin"]).frame);
  const means = timed(seconds, "groupMeans", () => groupMeans(encoded, "destination"));
  const total = (performance.now() - start) / 1000;
  const sum = (c: string) => Number(means.polars.getColumn(c).sum());
  const numeric = means.columns.filter((c) => c !== "destination");
  const run: EngineRun = {
    engine: "lepton (nodejs-polars 0.24.1)",
    rows: dropped.height,
    seconds,
    total,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    groups: means.height,
    columns: numeric.length,
    checksum: {
      delay: sum("delay"),
      distance: sum("distance"),
      hour: sum("hour"),
      origin_ATL: sum("origin_ATL"),
      all: numeric.reduce((s, c) => s + sum(c), 0),
    },
  };
  console.log(JSON.stringify(run));
}

/** The same pipeline with danfo 1.2's own functions; prints an EngineRun. */
export async function runDanfo(csv: string): Promise<void> {
  // required here, not imported above, so the src/data child process does not load danfo and tfjs
  const dfd = require("danfojs-node") as typeof import("danfojs-node");
  const seconds: Record<string, number> = {};
  const start = performance.now();
  const df = await (async () => {
    const t = performance.now();
    const frame = await dfd.readCSV(csv);
    seconds.read = (performance.now() - t) / 1000;
    return frame;
  })();
  const dropped = timed(seconds, "dropMissing", () => df.dropNa() as InstanceType<typeof dfd.DataFrame>);
  const scaled = timed(seconds, "minMax", () => {
    const scaler = new dfd.MinMaxScaler();
    const cols = ["delay", "distance", "hour"];
    const part = scaler.fitTransform(dropped.loc({ columns: cols })) as InstanceType<typeof dfd.DataFrame>;
    const copy = dropped.copy() as InstanceType<typeof dfd.DataFrame>;
    for (const c of cols) copy.addColumn(c, part.column(c).values as number[], { inplace: true });
    return copy;
  });
  const encoded = timed(
    seconds,
    "oneHot",
    () => dfd.getDummies(scaled, { columns: ["origin"] }) as InstanceType<typeof dfd.DataFrame>,
  );
  const means = timed(seconds, "groupMeans", () => {
    const numeric = encoded.columns.filter((c) => c !== "date" && c !== "destination");
    return encoded.groupby(["destination"]).col(numeric).mean() as InstanceType<typeof dfd.DataFrame>;
  });
  const total = (performance.now() - start) / 1000;
  const sum = (c: string) => (means.column(`${c}_mean`).values as number[]).reduce((s, v) => s + v, 0);
  const run: EngineRun = {
    engine: "danfojs-node 1.2.0",
    rows: dropped.shape[0],
    seconds,
    total,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    groups: means.shape[0],
    columns: means.shape[1] - 1,
    checksum: {
      delay: sum("delay"),
      distance: sum("distance"),
      hour: sum("hour"),
      origin_ATL: sum("origin_ATL"),
      all: NaN,
    },
  };
  console.log(JSON.stringify(run));
}

function child(command: string, args: readonly string[]): EngineRun {
  const stdout = execFileSync(command, [...args], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as EngineRun;
}

function nodeChild(entry: "runLepton" | "runDanfo", csv: string): EngineRun {
  const script = `require("tsx/cjs/api").register(); require(${JSON.stringify(join(ROOT, "bench", "cleaning.ts"))}).${entry}(${JSON.stringify(csv)})`;
  return child(process.execPath, ["--max-old-space-size=16384", "-e", script]);
}

function option(args: readonly string[], name: string): number | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = Number(args[at + 1]);
  if (!Number.isSafeInteger(value) || value < 1 || value > 3_000_000)
    throw new Error(`${name} needs an integer in 1..3000000, got ${args[at + 1]}`);
  return value;
}

function relativeDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1e-12, Math.abs(b));
}

function row(run: EngineRun, reference: EngineRun): string {
  const steps = ["read", "dropMissing", "minMax", "oneHot", "groupMeans"]
    .map((s) => (run.seconds[s] ?? NaN).toFixed(2))
    .join(" | ");
  return `| ${run.engine} | ${run.rows} | ${steps} | ${run.total.toFixed(2)} | ${(run.total / reference.total).toFixed(2)}× | ${run.peakRssMiB.toFixed(0)} | ${(run.peakRssMiB / reference.peakRssMiB).toFixed(2)}× |`;
}

/**
 * Entry of `lepton bench cleaning`: runs src/data and pandas (and danfo with --danfo N), checks equal results, appends
 * the table to bench/RESULTS.md.
 */
export async function main(args: string[]): Promise<void> {
  const rows = option(args, "--rows") ?? 3_000_000;
  const danfoRows = option(args, "--danfo");
  const csv = flightsCsv(rows);
  console.log(`flights CSV: ${csv}`);
  const pandas = child(PYTHON, [join(ROOT, "bench", "reference", "cleaning.py"), csv]);
  const lepton = nodeChild("runLepton", csv);
  const worst = Math.max(
    ...Object.keys(pandas.checksum).map((k) => relativeDiff(lepton.checksum[k] ?? NaN, pandas.checksum[k] ?? NaN)),
  );
  if (!(worst < 1e-9) || lepton.groups !== pandas.groups || lepton.columns !== pandas.columns) {
    throw new Error(
      `results differ from pandas: worst relative checksum difference ${worst}, groups ${lepton.groups} vs ${pandas.groups}, columns ${lepton.columns} vs ${pandas.columns}`,
    );
  }
  const lines = [
    "| engine | rows | read s | dropna s | min-max s | one-hot s | group means s | total s | time vs pandas | peak RSS MiB | memory vs pandas |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    row(pandas, pandas),
    row(lepton, pandas),
  ];
  if (danfoRows !== undefined) {
    const small = flightsCsv(danfoRows);
    const pandasSmall = child(PYTHON, [join(ROOT, "bench", "reference", "cleaning.py"), small]);
    const danfo = nodeChild("runDanfo", small);
    const leptonSmall = nodeChild("runLepton", small);
    lines.push(row(pandasSmall, pandasSmall), row(leptonSmall, pandasSmall), row(danfo, pandasSmall));
    lines.push(
      "",
      `danfo's group mean of delay summed over groups: ${danfo.checksum.delay} (pandas ${pandasSmall.checksum.delay}).`,
    );
  }
  const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  const header = `\n## cleaning — flights pipeline vs pandas (${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC)\n\nMachine: ${machine}; Node ${process.version}. Same results as pandas (worst relative checksum difference ${worst.toExponential(1)}, ${pandas.groups} groups × ${pandas.columns} means).\n\n`;
  const text = header + lines.join("\n") + "\n";
  console.log(text);
  if (!args.includes("--dry")) appendFileSync(join(ROOT, "bench", "RESULTS.md"), text);
}
