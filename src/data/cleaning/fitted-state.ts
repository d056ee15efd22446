/** Saving and loading the fitted state of a cleaning transformer (scalers, encoders) as JSON. */
import { readFileSync, writeFileSync } from "node:fs";
import { DatasetError } from "../errors";

/** Writes a fitted state as indented JSON. */
export function saveFittedState(path: string, state: object): void {
  writeFileSync(path, JSON.stringify(state, null, 2));
}

/** Reads a saved state's JSON; DatasetError names the file when it is not JSON (`what`: "scaler", "encoder"). */
export function readFittedState(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new DatasetError(path, `not a saved ${what} (${(error as Error).message})`);
  }
}
