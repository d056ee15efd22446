/**
 * The kernel's input history (Jupyter `history_request`: tail, range and search), kept for the
 * life of the kernel process — session 0, as ipykernel numbers the current session.
 */

/**
 * One history entry: [session, line number, source], or [session, line, [source, output]] when outputs are asked for.
 */
export type HistoryEntry = [number, number, string] | [number, number, [string, string | null]];

interface Recorded {
  readonly line: number;
  readonly source: string;
  output: string | null;
}

/** The parts of a history_request content this kernel honours. */
export interface HistoryQuery {
  readonly hist_access_type?: string;
  readonly n?: number;
  readonly start?: number;
  readonly stop?: number;
  readonly pattern?: string;
  readonly unique?: boolean;
  readonly output?: boolean;
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "s");
}

/** The executed inputs (and plain-text results) of this kernel session. */
export class InputHistory {
  private readonly entries: Recorded[] = [];

  /** Records the source of execution `count`. */
  add(count: number, source: string): void {
    this.entries.push({ line: count, source, output: null });
  }

  /** Records the plain-text result of execution `count`. */
  setOutput(count: number, output: string): void {
    const entry = this.entries.find((e) => e.line === count);
    if (entry !== undefined) entry.output = output;
  }

  /** Answers a history query. */
  query(query: HistoryQuery): HistoryEntry[] {
    return this.select(query).map((e): HistoryEntry =>
      query.output === true ? [0, e.line, [e.source, e.output]] : [0, e.line, e.source],
    );
  }

  private select(query: HistoryQuery): Recorded[] {
    const n = query.n ?? this.entries.length;
    switch (query.hist_access_type) {
      case "range": {
        const start = query.start ?? 1;
        const stop = query.stop ?? Number.POSITIVE_INFINITY;
        return this.entries.filter((e) => e.line >= start && e.line < stop);
      }
      case "search": {
        const pattern = globToRegExp(query.pattern ?? "*");
        let found = this.entries.filter((e) => pattern.test(e.source));
        if (query.unique === true) {
          const seen = new Set<string>();
          found = found
            .reverse()
            .filter((e) => !seen.has(e.source) && seen.add(e.source) !== undefined)
            .reverse();
        }
        return n > 0 ? found.slice(-n) : found;
      }
      default:
        return n > 0 ? this.entries.slice(-n) : [];
    }
  }
}
