/**
 * The cleaning report (Seed 000 §2.2 data cleaning: nothing silently lost): rows in and
 * out of every step, and per column how many cells were filled, rejected and what they were encoded as.
 */
import type pl from "nodejs-polars";
import type { FrameInput, FrameOutput } from "../frame";

/** What a cleaning step did to one column. */
export interface ColumnCounts {
  /** Missing cells filled (mean, median, mode, constant, forward/backward fill). */
  readonly filled: number;
  /** Wrong cells (rule broken) turned into missing; their rows are in the rejects table. */
  readonly rejected: number;
  /** Columns this one became when encoded (one-hot columns, or its own name for label/ordinal codes). */
  readonly encoded: readonly string[];
}

/** One step of a cleaning run. */
export interface StepReport {
  readonly step: string;
  readonly rowsIn: number;
  readonly rowsOut: number;
  /** Human-readable detail ("kept first of 3 duplicate rows", "min-max on 3 columns"). */
  readonly detail: string;
}

/** Report of one step or of a whole run. */
export interface CleaningReport {
  readonly rowsIn: number;
  readonly rowsOut: number;
  readonly steps: readonly StepReport[];
  readonly columns: Readonly<Record<string, ColumnCounts>>;
}

/** A cleaned frame (same kind as the input) and its report. */
export interface Cleaned<F extends FrameInput> {
  readonly frame: FrameOutput<F>;
  readonly report: CleaningReport;
}

const EMPTY_COUNTS: ColumnCounts = { filled: 0, rejected: 0, encoded: [] };

/** Builds the report of one step. */
export function stepReport(
  step: string,
  before: pl.DataFrame,
  after: pl.DataFrame,
  detail: string,
  columns: Readonly<Record<string, Partial<ColumnCounts>>> = {},
): CleaningReport {
  const full: Record<string, ColumnCounts> = {};
  for (const [name, counts] of Object.entries(columns)) full[name] = { ...EMPTY_COUNTS, ...counts };
  return {
    rowsIn: before.height,
    rowsOut: after.height,
    steps: [{ step, rowsIn: before.height, rowsOut: after.height, detail }],
    columns: full,
  };
}

/** Joins the reports of consecutive steps into one: rows in of the first, rows out of the last, counts summed. */
export function combineReports(...reports: readonly CleaningReport[]): CleaningReport {
  const first = reports[0];
  const last = reports[reports.length - 1];
  if (first === undefined || last === undefined) return { rowsIn: 0, rowsOut: 0, steps: [], columns: {} };
  const columns: Record<string, ColumnCounts> = {};
  for (const report of reports) {
    for (const [name, counts] of Object.entries(report.columns)) {
      const sum = columns[name] ?? EMPTY_COUNTS;
      columns[name] = {
        filled: sum.filled + counts.filled,
        rejected: sum.rejected + counts.rejected,
        encoded: [...sum.encoded, ...counts.encoded],
      };
    }
  }
  return { rowsIn: first.rowsIn, rowsOut: last.rowsOut, steps: reports.flatMap((r) => r.steps), columns };
}

/** One line per column of a report, ready for `table()`. */
export function reportRows(
  report: CleaningReport,
): { column: string; filled: number; rejected: number; encoded: string }[] {
  return Object.entries(report.columns).map(([column, c]) => ({
    column,
    filled: c.filled,
    rejected: c.rejected,
    encoded: c.encoded.join(", "),
  }));
}
