/**
 * The kernel's input history (Jupyter `history_request`: tail, range and search), kept for the
 * life of the kernel process — session 0, as ipykernel numbers the current session.
 */

/** One history entry: [session, line number, source]. */
export type HistoryEntry = [number, number, string];

/** The parts of a history_request content this kernel honours. */
export interface HistoryQuery {
  readonly hist_access_type?: string;
  readonly n?: number;
  readonly start?: number;
  readonly stop?: number;
  readonly pattern?: string;
  readonly unique?: boolean;
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "s");
}

/** The executed inputs of this kernel session. */
export class InputHistory {
  private readonly entries: HistoryEntry[] = [];

  /** Records the source of execution `count`. */
  add(count: number, source: string): void {
    this.entries.push([0, count, source]);
  }

  /** Answers a history query. */
  query(query: HistoryQuery): HistoryEntry[] {
    const n = query.n ?? this.entries.length;
    switch (query.hist_access_type) {
      case "range": {
        const start = query.start ?? 1;
        const stop = query.stop ?? Number.POSITIVE_INFINITY;
        return this.entries.filter(([, line]) => line >= start && line < stop);
      }
      case "search": {
        const pattern = globToRegExp(query.pattern ?? "*");
        let found = this.entries.filter(([, , source]) => pattern.test(source));
        if (query.unique === true) {
          const seen = new Set<string>();
          found = found.filter(([, , source]) => !seen.has(source) && seen.add(source) !== undefined);
        }
        return n > 0 ? found.slice(-n) : found;
      }
      default:
        return n > 0 ? this.entries.slice(-n) : [];
    }
  }
}
