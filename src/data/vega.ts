/**
 * Loaders for the vega-datasets tables the workbook cleans and mines (Seed 000 §2.2 data
 * collection; seed 001 §3.3 step 1). Each loader checks the file (present, parseable, expected
 * columns and row count) and throws DatasetError naming the file and what is wrong.
 * `xxxRecords()` give typed rows; `loadXxx()` give danfo DataFrames for display and cleaning.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DataFrame } from "danfojs-node";
import pl from "nodejs-polars";
import { DatasetError } from "./errors";
import { PolarsFrame } from "./frame";

/** A cell of a raw table row: vega JSON holds numbers, strings and nulls. */
export type RawCell = number | string | null;

/** One Palmer penguin (penguins.json), 344 rows; sizes may be missing. */
export interface PenguinRecord {
  readonly Species: string;
  readonly Island: string;
  readonly "Beak Length (mm)": number | null;
  readonly "Beak Depth (mm)": number | null;
  readonly "Flipper Length (mm)": number | null;
  readonly "Body Mass (g)": number | null;
  readonly Sex: string | null;
}

/** One car (cars.json), 406 rows; mileage and horsepower may be missing. */
export interface CarRecord {
  readonly Name: string;
  readonly Miles_per_Gallon: number | null;
  readonly Cylinders: number;
  readonly Displacement: number;
  readonly Horsepower: number | null;
  readonly Weight_in_lbs: number;
  readonly Acceleration: number;
  readonly Year: string;
  readonly Origin: string;
}

/** One day of Seattle weather (seattle-weather.csv), 1461 rows 2012–2015. */
export interface SeattleWeatherRecord {
  readonly date: string;
  readonly precipitation: number;
  readonly temp_max: number;
  readonly temp_min: number;
  readonly wind: number;
  readonly weather: string;
}

/** One movie (movies.json), 3201 rows: raw, with missing values and some titles stored as numbers. */
export type MovieRecord = Readonly<Record<string, RawCell>>;

interface TableSpec {
  readonly file: string;
  readonly rows: number;
  readonly columns: readonly string[];
}

const PENGUINS: TableSpec = {
  file: "penguins.json",
  rows: 344,
  columns: ["Species", "Island", "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", "Sex"],
};
const CARS: TableSpec = {
  file: "cars.json",
  rows: 406,
  columns: [
    "Name",
    "Miles_per_Gallon",
    "Cylinders",
    "Displacement",
    "Horsepower",
    "Weight_in_lbs",
    "Acceleration",
    "Year",
    "Origin",
  ],
};
const MOVIES: TableSpec = {
  file: "movies.json",
  rows: 3201,
  columns: [
    "Title",
    "US Gross",
    "Worldwide Gross",
    "US DVD Sales",
    "Production Budget",
    "Release Date",
    "MPAA Rating",
    "Running Time min",
    "Distributor",
    "Source",
    "Major Genre",
    "Creative Type",
    "Director",
    "Rotten Tomatoes Rating",
    "IMDB Rating",
    "IMDB Votes",
  ],
};
const SEATTLE: TableSpec = {
  file: "seattle-weather.csv",
  rows: 1461,
  columns: ["date", "precipitation", "temp_max", "temp_min", "wind", "weather"],
};
/** Rows in vega-datasets' flights-3m.parquet. */
export const FLIGHTS_ROWS = 3_000_000;
const FLIGHTS_COLUMNS = ["date", "delay", "distance", "origin", "destination"] as const;

/** The folder holding vega-datasets' files (inside node_modules). */
export function vegaDataDir(): string {
  return join(dirname(require.resolve("vega-datasets")), "..", "data");
}

/** Absolute path of one vega-datasets file; DatasetError if it is not there. */
export function vegaDataPath(file: string): string {
  const path = join(vegaDataDir(), file);
  if (!existsSync(path)) throw new DatasetError(path, "file not found (is the vega-datasets package installed?)");
  return path;
}

function checkShape(path: string, spec: TableSpec, rows: readonly Record<string, unknown>[]): void {
  if (rows.length !== spec.rows) throw new DatasetError(path, `expected ${spec.rows} rows, found ${rows.length}`);
  rows.forEach((row, index) => {
    const missing = spec.columns.filter((column) => !(column in row));
    if (missing.length > 0) throw new DatasetError(path, `row ${index} lacks column(s) ${missing.join(", ")}`);
  });
}

function readJsonTable(spec: TableSpec): Record<string, RawCell>[] {
  const path = vegaDataPath(spec.file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new DatasetError(path, `not valid JSON (${(error as Error).message})`);
  }
  if (
    !Array.isArray(parsed) ||
    !parsed.every((row) => typeof row === "object" && row !== null && !Array.isArray(row))
  ) {
    throw new DatasetError(path, "expected a JSON array of row objects");
  }
  const rows = parsed as Record<string, unknown>[];
  checkShape(path, spec, rows);
  return rows.map((row, index) => {
    const out: Record<string, RawCell> = {};
    for (const column of spec.columns) {
      const value = row[column];
      if (value !== null && typeof value !== "number" && typeof value !== "string") {
        throw new DatasetError(path, `row ${index}, column "${column}": unexpected ${typeof value} value`);
      }
      out[column] = value;
    }
    return out;
  });
}

function numberOrNull(path: string, index: number, column: string, value: RawCell): number | null {
  if (value === null || typeof value === "number") return value;
  throw new DatasetError(path, `row ${index}, column "${column}": expected a number, found ${JSON.stringify(value)}`);
}

function stringOrNull(path: string, index: number, column: string, value: RawCell): string | null {
  if (value === null || typeof value === "string") return value;
  throw new DatasetError(path, `row ${index}, column "${column}": expected a string, found ${JSON.stringify(value)}`);
}

function required<T>(path: string, index: number, column: string, value: T | null): T {
  if (value === null) throw new DatasetError(path, `row ${index}, column "${column}": unexpected missing value`);
  return value;
}

/** Palmer penguins as typed rows. */
export function penguinRecords(): PenguinRecord[] {
  const path = vegaDataPath(PENGUINS.file);
  return readJsonTable(PENGUINS).map((row, i) => {
    const num = (column: string) => numberOrNull(path, i, column, row[column] ?? null);
    const str = (column: string) => stringOrNull(path, i, column, row[column] ?? null);
    return {
      Species: required(path, i, "Species", str("Species")),
      Island: required(path, i, "Island", str("Island")),
      "Beak Length (mm)": num("Beak Length (mm)"),
      "Beak Depth (mm)": num("Beak Depth (mm)"),
      "Flipper Length (mm)": num("Flipper Length (mm)"),
      "Body Mass (g)": num("Body Mass (g)"),
      Sex: str("Sex"),
    };
  });
}

/** Cars (1970–1982) as typed rows; used for regressions too. */
export function carRecords(): CarRecord[] {
  const path = vegaDataPath(CARS.file);
  return readJsonTable(CARS).map((row, i) => {
    const num = (column: string) => numberOrNull(path, i, column, row[column] ?? null);
    const str = (column: string) => required(path, i, column, stringOrNull(path, i, column, row[column] ?? null));
    return {
      Name: str("Name"),
      Miles_per_Gallon: num("Miles_per_Gallon"),
      Cylinders: required(path, i, "Cylinders", num("Cylinders")),
      Displacement: required(path, i, "Displacement", num("Displacement")),
      Horsepower: num("Horsepower"),
      Weight_in_lbs: required(path, i, "Weight_in_lbs", num("Weight_in_lbs")),
      Acceleration: required(path, i, "Acceleration", num("Acceleration")),
      Year: str("Year"),
      Origin: str("Origin"),
    };
  });
}

/** Movies as raw rows, wrong types and all. */
export function movieRecords(): MovieRecord[] {
  return readJsonTable(MOVIES);
}

/** Seattle weather as typed rows. */
export function seattleWeatherRecords(): SeattleWeatherRecord[] {
  const path = vegaDataPath(SEATTLE.file);
  const lines = readFileSync(path, "utf8")
    .split(/\r?\n/)
    .filter((line) => line !== "");
  const header = lines[0]?.split(",") ?? [];
  if (header.join(",") !== SEATTLE.columns.join(",")) {
    throw new DatasetError(path, `header is "${header.join(",")}", expected "${SEATTLE.columns.join(",")}"`);
  }
  const rows = lines.slice(1).map((line, index) => {
    const cells = line.split(",");
    if (cells.length !== SEATTLE.columns.length) {
      throw new DatasetError(path, `line ${index + 2} has ${cells.length} fields, expected ${SEATTLE.columns.length}`);
    }
    const num = (k: number) => {
      const value = Number(cells[k]);
      if (cells[k] === "" || !Number.isFinite(value)) {
        throw new DatasetError(
          path,
          `line ${index + 2}, column "${SEATTLE.columns[k]}": not a number: ${JSON.stringify(cells[k])}`,
        );
      }
      return value;
    };
    return {
      date: cells[0] ?? "",
      precipitation: num(1),
      temp_max: num(2),
      temp_min: num(3),
      wind: num(4),
      weather: cells[5] ?? "",
    };
  });
  if (rows.length !== SEATTLE.rows) throw new DatasetError(path, `expected ${SEATTLE.rows} rows, found ${rows.length}`);
  return rows;
}

function toDanfo(records: readonly object[], columns: readonly string[]): DataFrame {
  return new DataFrame(records as object[], { columns: [...columns] });
}

/** Palmer penguins as a danfo DataFrame (344 × 7). */
export function loadPenguins(): DataFrame {
  return toDanfo(penguinRecords(), PENGUINS.columns);
}

/** Cars as a danfo DataFrame (406 × 9). */
export function loadCars(): DataFrame {
  return toDanfo(carRecords(), CARS.columns);
}

/** Movies as a danfo DataFrame (3201 × 16); numeric titles are kept as text so the column has one type. */
export function loadMovies(): DataFrame {
  const rows = movieRecords().map((row) => ({ ...row, Title: row.Title === null ? null : String(row.Title) }));
  return toDanfo(rows, MOVIES.columns);
}

/** Seattle weather as a danfo DataFrame (1461 × 6). */
export function loadSeattleWeather(): DataFrame {
  return toDanfo(seattleWeatherRecords(), SEATTLE.columns);
}

/** Options of the flights loaders: how many of the 3M rows to read (first rows of the file). */
export interface FlightsOptions {
  readonly rows?: number;
}

/**
 * US flights 2001 (vega-datasets flights-3m.parquet: date, delay, distance, origin, destination) as a
 * polars-backed frame — the large-table path of Seed 000 §2.2; `date` is an ISO text "YYYY-MM-DD HH:MM".
 */
export function flightsFrame(options: FlightsOptions = {}): PolarsFrame {
  const rows = options.rows ?? FLIGHTS_ROWS;
  if (!Number.isSafeInteger(rows) || rows < 1 || rows > FLIGHTS_ROWS) {
    throw new DatasetError("flights-3m.parquet", `rows must be an integer in 1..${FLIGHTS_ROWS}, got ${rows}`);
  }
  const path = vegaDataPath("flights-3m.parquet");
  let frame: pl.DataFrame;
  try {
    frame = pl.readParquet(path, { numRows: rows });
  } catch (error) {
    throw new DatasetError(path, `not a readable parquet file (${(error as Error).message})`);
  }
  const missing = FLIGHTS_COLUMNS.filter((column) => !frame.columns.includes(column));
  if (missing.length > 0) throw new DatasetError(path, `lacks column(s) ${missing.join(", ")}`);
  if (frame.height !== rows) throw new DatasetError(path, `expected ${rows} rows, found ${frame.height}`);
  const withText = frame.withColumns(pl.col("date").date.strftime("%Y-%m-%d %H:%M").alias("date"));
  return new PolarsFrame(withText.select(...FLIGHTS_COLUMNS));
}

/** The first `rows` flights (default 2000) as a danfo DataFrame, for display-sized work. */
export function loadFlights(options: FlightsOptions = {}): DataFrame {
  return flightsFrame({ rows: options.rows ?? 2000 }).toDanfo();
}
