import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DataFrame } from "danfojs-node";
import { describe, expect, it } from "vitest";
import {
  combineReports,
  concatFrames,
  dropDuplicates,
  dropMissing,
  fillMissing,
  groupAggregate,
  type Aggregation,
  groupMeans,
  LabelEncoder,
  missingReport,
  MinMaxScaler,
  mergeFrames,
  OneHotEncoder,
  StandardScaler,
  validate,
} from "../../../src/data/cleaning";
import { PolarsFrame, readCsv } from "../../../src/data/frame";
import { flightsFrame, loadCars, loadMovies, loadPenguins } from "../../../src/data/vega";
import { CleaningError } from "../../../src/data/errors";

const FIXTURES = join(__dirname, "../../fixtures/data");
type Json = null | number | string | boolean | Json[] | { [k: string]: Json };
const ref = JSON.parse(readFileSync(join(FIXTURES, "pandas_reference.json"), "utf8")) as Record<string, Json>;
const R = (key: string) => ref[key] as Record<string, Json>;
const NUMERIC = ["Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"];

function values(frame: DataFrame, column: string): (number | string | boolean | null)[] {
  return (frame.column(column).values as unknown[]).map((v) =>
    typeof v === "number" && Number.isNaN(v) ? null : (v as number | string | boolean | null),
  );
}

function expectClose(actual: readonly unknown[], expected: readonly Json[], tol = 1e-9): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  actual.forEach((a, i) => {
    const e = expected[i];
    if (e === null) {
      expect(a, `cell ${i}`).toBeNull();
    } else if (typeof e === "number") {
      expect(typeof a, `cell ${i}`).toBe("number");
      const diff = Math.abs((a as number) - e);
      worst = Math.max(worst, diff);
      expect(diff, `cell ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
    } else {
      expect(a, `cell ${i}`).toBe(e);
    }
  });
  return worst;
}

function rowsOf(frame: DataFrame): Record<string, unknown>[] {
  const cols = frame.columns;
  return frame.index.map((_, i) => Object.fromEntries(cols.map((c) => [c, values(frame, c)[i]])));
}

describe("missing values (pandas isna / dropna / fillna)", () => {
  it("counts missing per column as pandas isna().sum()", () => {
    const counts = Object.fromEntries(missingReport(loadPenguins()).map((m) => [m.column, m.missing]));
    expect(counts).toEqual(R("penguins_missing"));
    const movies = Object.fromEntries(missingReport(loadMovies()).map((m) => [m.column, m.missing]));
    expect(movies).toEqual(R("movies_missing"));
  });

  it("drops rows as dropna, keeping pandas' row labels", () => {
    const { frame, report } = dropMissing(loadPenguins());
    expect(frame.shape).toEqual(R("penguins_dropna_shape"));
    expect(frame.index).toEqual(R("penguins_dropna_index"));
    expect(report.rowsIn - report.rowsOut).toBe(344 - (R("penguins_dropna_shape") as unknown as number[])[0]!);
    expect(dropMissing(loadPenguins(), { subset: ["Sex"] }).frame.shape[0]).toBe(ref.penguins_dropna_subset_sex);
    expect(dropMissing(loadPenguins(), { subset: NUMERIC, how: "all" }).frame.shape[0]).toBe(
      ref.penguins_dropna_all_numeric,
    );
  });

  it("fills with mean, median, mode, ffill and bfill as pandas, without touching the input", () => {
    const penguins = loadPenguins();
    const beforeSex = values(penguins, "Sex");
    const fill = R("penguins_fill");
    const { frame, report } = fillMissing(penguins, {
      "Body Mass (g)": "mean",
      "Beak Length (mm)": "median",
      Sex: "ffill",
      "Beak Depth (mm)": "bfill",
    });
    expectClose(values(frame, "Body Mass (g)"), fill.mean_filled_body_mass as Json[]);
    expectClose(values(frame, "Sex"), fill.ffill_sex as Json[]);
    expectClose(values(frame, "Beak Depth (mm)"), fill.bfill_beak_depth as Json[]);
    expect(values(frame, "Beak Length (mm)")[3]).toBeCloseTo(fill.median_beak_length as number, 10);
    expect(values(penguins, "Sex")).toEqual(beforeSex);
    expect(values(penguins, "Body Mass (g)")[3]).toBeNull();
    expect(report.columns["Body Mass (g)"]?.filled).toBe(2);
    expect(report.columns.Sex?.filled).toBe(10);
    const mode = fillMissing(penguins, { Sex: "mode" }).frame;
    expect(values(mode, "Sex")[3]).toBe(fill.mode_sex);
    const constant = fillMissing(penguins, { Sex: { constant: "UNKNOWN" } });
    expect(values(constant.frame, "Sex").filter((s) => s === "UNKNOWN")).toHaveLength(10);
  });

  it("refuses a mean of text and unknown columns, naming them", () => {
    expect(() => fillMissing(loadPenguins(), { Sex: "mean" })).toThrow(/"Sex".*mean needs numbers/);
    expect(() => dropMissing(loadPenguins(), { subset: ["Weight"] })).toThrow(CleaningError);
    expect(() => dropMissing(loadPenguins(), { subset: ["Weight"] })).toThrow(/"Weight"/);
  });
});

describe("duplicates (pandas drop_duplicates)", () => {
  it("drops whole-row and subset duplicates, keep first or last", () => {
    const penguins = rowsOf(loadPenguins());
    const doubled = new DataFrame(
      [...penguins, penguins[0]!, penguins[3]!, penguins[5]!, penguins[3]!].map((r) => ({ ...r })),
      {
        columns: loadPenguins().columns,
      },
    );
    const expected = R("penguins_doubled_dedupe");
    const { frame, report } = dropDuplicates(doubled);
    expect(report.rowsIn).toBe(expected.rows_in);
    expect(frame.shape[0]).toBe(expected.rows_out);
    expect(dropDuplicates(doubled, { subset: ["Species", "Island"] }).frame.shape[0]).toBe(
      expected.rows_out_subset_species_island,
    );
    const last = dropDuplicates(loadPenguins(), { subset: ["Species"], keep: "last" }).frame;
    expect(last.shape[0]).toBe(3);
    expect(dropDuplicates(loadCars()).frame.shape[0]).toBe(ref.cars_dedupe_rows);
    expect(dropDuplicates(loadMovies()).frame.shape[0]).toBe(ref.movies_dedupe_rows);
  });
});

describe("wrong values: rules, rejects, then fill (dirty penguins CSV)", () => {
  const dirty = R("dirty");
  const rules = {
    "Body Mass (g)": { type: "number" as const },
    "Flipper Length (mm)": { min: 150, max: 250 },
    Sex: { allowed: ["MALE", "FEMALE"] },
  };

  it("turns bad cells into missing, counts them and keeps their rows in rejects", () => {
    const raw = readCsv(join(FIXTURES, "penguins_dirty.csv"));
    expect(raw.shape[0]).toBe(dirty.rows_raw);
    const deduped = dropDuplicates(raw);
    expect(deduped.frame.shape[0]).toBe(dirty.rows_deduped);
    const checked = validate(deduped.frame, rules);
    for (const [column, count] of Object.entries(dirty.rejected as Record<string, number>)) {
      expect(checked.report.columns[column]?.rejected, column).toBe(count);
    }
    const rejectedRows = [...new Set(values(checked.rejects, "row").map(Number))].sort((a, b) => a - b);
    expect(rejectedRows).toEqual(dirty.rejected_rows);
    const massReject = rowsOf(checked.rejects).find((r) => r.field === "Body Mass (g)" && r.row === "40");
    expect(massReject?.value).toBe("heavy");
    expect(massReject?.reason).toBe("not a number");
    const missing = Object.fromEntries(missingReport(checked.frame).map((m) => [m.column, m.missing]));
    expect(missing).toEqual(dirty.missing_after_validate);

    const fills = Object.fromEntries([...NUMERIC.map((c) => [c, "median" as const]), ["Sex", "mode" as const]]);
    const filled = fillMissing(checked.frame, fills);
    for (const c of NUMERIC) {
      const column = values(filled.frame, c) as number[];
      const mean = column.reduce((s, v) => s + v, 0) / column.length;
      expect(mean, c).toBeCloseTo((dirty.filled_means as Record<string, number>)[c]!, 9);
    }
    const means = groupMeans(filled.frame, "Species");
    const expected = dirty.group_means_species as Record<string, Record<string, number>>;
    for (const [i, species] of (values(means, "Species") as string[]).entries()) {
      for (const c of NUMERIC) expect(values(means, c)[i], `${species} ${c}`).toBeCloseTo(expected[species]![c]!, 9);
    }
    const total = combineReports(deduped.report, checked.report, filled.report);
    expect(total.rowsIn).toBe(dirty.rows_raw);
    expect(total.rowsOut).toBe(dirty.rows_deduped);
    expect(total.columns.Sex).toEqual({ filled: 14, rejected: 4, encoded: [] });
  });

  it("explains an impossible rule by column", () => {
    expect(() => validate(loadPenguins(), { Sex: { min: 0 } })).not.toThrow();
    expect(() => validate(loadPenguins(), { "Body Mass (g)": { pattern: "^[0-9]+$" } })).toThrow(
      /"Body Mass \(g\)" is numeric/,
    );
  });
});

describe("normalization (fitted, saved, applied to new data)", () => {
  it("min-max and z-score match pandas formulas, missing stays missing", () => {
    const penguins = loadPenguins();
    const minmax = MinMaxScaler.fit(penguins, NUMERIC).transform(penguins).frame;
    const z0 = StandardScaler.fit(penguins, NUMERIC).transform(penguins).frame;
    const z1 = StandardScaler.fit(penguins, NUMERIC, { ddof: 1 }).transform(penguins).frame;
    for (const c of NUMERIC) {
      expectClose(values(minmax, c), R("penguins_minmax")[c] as Json[], 1e-12);
      expectClose(values(z0, c), R("penguins_zscore_ddof0")[c] as Json[], 1e-9);
      expectClose(values(z1, c), R("penguins_zscore_ddof1")[c] as Json[], 1e-9);
    }
    expect(values(penguins, "Body Mass (g)")[0]).toBe(3750);
  });

  it("applies fitted parameters to new rows and round-trips through a file", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { loadScaler } = await import("../../../src/data/cleaning");
    const scaler = MinMaxScaler.fit(loadPenguins(), ["Body Mass (g)"]);
    const path = join(mkdtempSync(join(tmpdir(), "lepton-")), "scaler.json");
    scaler.save(path);
    const loaded = loadScaler(path);
    const params = R("penguins_params") as Record<string, Record<string, number>>;
    const fresh = [
      { "Body Mass (g)": params.min!["Body Mass (g)"]! },
      { "Body Mass (g)": params.max!["Body Mass (g)"]! },
      { "Body Mass (g)": null },
    ];
    expect(values(loaded.transform(fresh).frame, "Body Mass (g)")).toEqual([0, 1, null]);
    const back = loaded.inverseTransform(loaded.transform(fresh).frame).frame;
    expect(values(back, "Body Mass (g)")).toEqual([2700, 6300, null]);
  });
});

describe("encoding (pandas get_dummies, cat.codes), missing stays missing", () => {
  it("one-hot columns, order and sums as get_dummies; a missing cell gives zeros, no _null column", () => {
    const penguins = loadPenguins();
    const { frame, report } = OneHotEncoder.fit(penguins, ["Island", "Sex"]).transform(penguins);
    const expected = R("penguins_dummies");
    expect(frame.columns).toEqual(expected.columns);
    for (const [c, sum] of Object.entries(expected.sums as Record<string, number>)) {
      expect(
        (values(frame, c) as number[]).reduce((s, v) => s + v, 0),
        c,
      ).toBe(sum);
    }
    for (const [c, v] of Object.entries(expected.row3 as Record<string, number>)) expect(values(frame, c)[3]).toBe(v);
    expect(report.columns.Sex?.encoded).toEqual(["Sex_.", "Sex_FEMALE", "Sex_MALE"]);
    const asNull = OneHotEncoder.fit(penguins, ["Sex"]).transform(penguins, { missing: "null" }).frame;
    expect(values(asNull, "Sex_MALE")[3]).toBeNull();
  });

  it("numeric categories sort numerically", () => {
    const { frame } = OneHotEncoder.fit(loadCars(), ["Cylinders"]).transform(loadCars());
    const sums = Object.fromEntries(
      frame.columns
        .filter((c) => c.startsWith("Cylinders_"))
        .map((c) => [c, (values(frame, c) as number[]).reduce((s, v) => s + v, 0)]),
    );
    expect(sums).toEqual(ref.cars_cylinders_dummies);
  });

  it("label codes as cat.codes, with missing left missing instead of -1; unseen values too", () => {
    const penguins = loadPenguins();
    const encoder = LabelEncoder.fit(penguins, ["Sex"]);
    expect(encoder.categoriesOf("Sex")).toEqual(ref.penguins_sex_categories);
    const codes = values(encoder.transform(penguins).frame, "Sex");
    expect(codes).toEqual((ref.penguins_sex_codes as number[]).map((c) => (c === -1 ? null : c)));
    const ordinal = LabelEncoder.fit([{ size: "S" }, { size: "L" }], ["size"], { order: { size: ["S", "M", "L"] } });
    const out = ordinal.transform([{ size: "L" }, { size: "M" }, { size: "XL" }]);
    expect(values(out.frame, "size")).toEqual([2, 1, null]);
    expect(out.report.steps[0]?.detail).toMatch(/1 unseen/);
  });
});

describe("group means (pandas groupby().mean(); danfo 1.2 counts missing in the divisor)", () => {
  it("penguins by species and by species+island", () => {
    const means = groupMeans(loadPenguins(), "Species", NUMERIC);
    const expected = R("penguins_group_means") as Record<string, Record<string, number>>;
    expect(values(means, "Species")).toEqual(Object.keys(expected).sort());
    (values(means, "Species") as string[]).forEach((s, i) => {
      for (const c of NUMERIC) expect(values(means, c)[i]).toBeCloseTo(expected[s]![c]!, 9);
    });
    expect(values(means, "Body Mass (g)")[0]).toBeCloseTo(3700.662251655629, 9);
    const two = groupMeans(loadPenguins(), ["Species", "Island"], NUMERIC);
    const rows = ref.penguins_group_means_species_island as Record<string, Json>[];
    expect(two.shape[0]).toBe(rows.length);
    rows.forEach((row, i) => {
      expect(values(two, "Species")[i]).toBe(row.Species);
      expect(values(two, "Island")[i]).toBe(row.Island);
      for (const c of NUMERIC) expect(values(two, c)[i]).toBeCloseTo(row[c] as number, 9);
    });
  });

  it("cars and movies (many missing values), plus a median", () => {
    for (const [frame, key, refKey] of [
      [loadCars(), "Origin", "cars_group_means"],
      [loadMovies(), "Major Genre", "movies_group_means"],
    ] as const) {
      const expected = R(refKey) as Record<string, Record<string, number | null>>;
      const columns = Object.keys(Object.values(expected)[0]!);
      const means = groupMeans(frame, key, columns);
      expect(values(means, key)).toEqual(Object.keys(expected).sort());
      (values(means, key) as string[]).forEach((k, i) => {
        for (const c of columns) {
          const e = expected[k]![c]!;
          if (e === null) expect(values(means, c)[i]).toBeNull();
          else expect(Math.abs((values(means, c)[i] as number) - e) / Math.max(1, Math.abs(e))).toBeLessThan(1e-12);
        }
      });
    }
    const medians = groupAggregate(loadMovies(), "MPAA Rating", { "IMDB Rating": "median" });
    const expected = R("movies_group_median_imdb") as Record<string, number>;
    (values(medians, "MPAA Rating") as string[]).forEach((k, i) =>
      expect(values(medians, "IMDB Rating")[i]).toBeCloseTo(expected[k]!, 12),
    );
    // From JavaScript, or a cast, an unknown statistic is named with the column that asked for it.
    const unknown = { "IMDB Rating": "avg" } as unknown as Record<string, Aggregation>;
    expect(() => groupAggregate(loadMovies(), "MPAA Rating", unknown)).toThrow(/column "IMDB Rating" asks for "avg"/);
  });
});

describe("merging sources (pandas merge / concat)", () => {
  const species = [
    { Species: "Adelie", Genus: "Pygoscelis", "Body Mass (g)": 4000 },
    { Species: "Gentoo", Genus: "Pygoscelis", "Body Mass (g)": 5500 },
    { Species: "Emperor", Genus: "Aptenodytes", "Body Mass (g)": 30000 },
  ];
  for (const how of ["inner", "left", "right", "outer"] as const) {
    it(`${how} merge: shape, columns, suffixes, key order and sums as pandas`, () => {
      const expected = R(`merge_${how}`);
      const { frame } = mergeFrames(loadPenguins(), species, { on: "Species", how });
      expect(frame.shape).toEqual(expected.shape);
      expect(frame.columns).toEqual(expected.columns);
      expect(values(frame, "Species")).toEqual(expected.species_order);
      const sum = (c: string) => (values(frame, c) as (number | null)[]).reduce<number>((s, v) => s + (v ?? 0), 0);
      expect(sum("Body Mass (g)_x")).toBeCloseTo(expected.mass_x_sum as number, 6);
      expect(sum("Body Mass (g)_y")).toBeCloseTo(expected.mass_y_sum as number, 6);
      expect(values(frame, "Genus").filter((g) => g === null)).toHaveLength(expected.genus_missing as number);
    });
  }

  it("concat unites columns and marks absent cells missing", () => {
    const expected = R("concat");
    const stacked = concatFrames([loadPenguins().head(5), species]);
    expect(stacked.shape).toEqual(expected.shape);
    expect(stacked.columns).toEqual(expected.columns);
    expect(Object.fromEntries(missingReport(stacked).map((m) => [m.column, m.missing]))).toEqual(expected.missing);
  });
});

describe("fitted one-hot on new data", () => {
  it("unseen text values give zeros and are counted; absent categories give zero columns", () => {
    const encoder = OneHotEncoder.fit([{ c: "a" }, { c: "b" }, { c: "c" }], ["c"]);
    const out = encoder.transform([{ c: "b" }, { c: "z" }, { c: null }, { c: "z" }]);
    expect(out.frame.columns).toEqual(["c_a", "c_b", "c_c"]);
    expect(values(out.frame, "c_b")).toEqual([1, 0, 0, 0]);
    expect(values(out.frame, "c_a")).toEqual([0, 0, 0, 0]);
    expect(out.report.steps[0]?.detail).toMatch(/c: 2 unseen/);
  });
});

describe("large-table path: PolarsFrame in, PolarsFrame out, same answers as danfo frames", () => {
  it("flights pipeline on 20k rows gives identical group means either way", () => {
    const big = flightsFrame({ rows: 20_000 });
    const small = big.toDanfo();
    const run = <F extends PolarsFrame | DataFrame>(input: F) => {
      const clean = dropMissing(input).frame;
      const scaled = MinMaxScaler.fit(clean, ["delay", "distance"]).transform(clean).frame;
      return groupMeans(OneHotEncoder.fit(scaled, ["origin"]).transform(scaled).frame, "destination");
    };
    const fast = run(big);
    const slow = run(small);
    expect(fast).toBeInstanceOf(PolarsFrame);
    const fastRows = (fast as PolarsFrame).toRecords();
    expect(fastRows.length).toBe(slow.shape[0]);
    for (const column of ["delay", "distance", "origin_ATL", "origin_LAX"]) {
      expectClose(
        fastRows.map((r) => r[column] as number),
        values(slow as DataFrame, column) as Json[],
        1e-12,
      );
    }
  });
});

describe("encoders save and load", () => {
  it("one-hot and label encoders round-trip through JSON files; bad files are named", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { loadEncoder } = await import("../../../src/data/cleaning");
    const dir = mkdtempSync(join(tmpdir(), "lepton-enc-"));
    const penguins = loadPenguins();
    OneHotEncoder.fit(penguins, ["Island"]).save(join(dir, "onehot.json"));
    LabelEncoder.fit(penguins, ["Species"]).save(join(dir, "label.json"));
    const onehot = loadEncoder(join(dir, "onehot.json"));
    const label = loadEncoder(join(dir, "label.json"));
    expect(onehot).toBeInstanceOf(OneHotEncoder);
    expect(values(onehot.transform([{ Island: "Dream" }]).frame, "Island_Dream")).toEqual([1]);
    expect(values(label.transform([{ Species: "Gentoo" }]).frame, "Species")).toEqual([2]);
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ kind: "onehot", columns: { a: [{}] } }));
    expect(() => loadEncoder(join(dir, "bad.json"))).toThrow(/bad\.json: expected/);
  });
});
