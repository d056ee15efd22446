/**
 * What a reader sees, in a real browser (Debian's chromium through puppeteer-core): an executed
 * notebook (a) exported by nbconvert to HTML and (b) reopened in the classic Notebook server,
 * where it is untrusted and its scripts are stripped. Every figure must be drawn — plotly's SVG,
 * or its static image — every image must show under its cell, and no cell that produced output
 * may show empty. Screenshots go to out/browser/.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath } from "../../src/display/static-image";
import { readNotebook } from "../../src/runner/notebook";
import { runNotebook } from "../../src/runner/run-notebook";

const ROOT = resolve(__dirname, "..", "..");
const SHOTS = join(ROOT, "out", "browser");
const NOTEBOOK = "03_losses_gradients.ipynb";
const PYTHON = "/usr/bin/python3";
const chromium = chromiumPath();

interface PageReport {
  readonly figures: number;
  readonly drawnFigures: number;
  readonly images: number;
  readonly visibleImages: number;
  readonly emptyOutputAreas: number;
}

/** Counts, in the page, figures drawn (SVG or a loaded static image), images shown and empty output areas. */
function inspectPage(page: Page, outputSelector: string): Promise<PageReport> {
  return page.evaluate((selector: string) => {
    const visible = (img: HTMLImageElement) =>
      img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0;
    const figures = Array.from(document.querySelectorAll<HTMLElement>(".lepton-plotly"));
    const drawn = figures.filter(
      (div) => div.querySelector(".main-svg") !== null || Array.from(div.querySelectorAll("img")).some(visible),
    );
    const images = Array.from(document.querySelectorAll<HTMLImageElement>(`${selector} img`));
    const empty = Array.from(document.querySelectorAll<HTMLElement>(selector)).filter(
      (area) =>
        area.getBoundingClientRect().height < 2 &&
        area.textContent!.trim() === "" &&
        area.querySelector("img, svg, canvas") === null,
    );
    return {
      figures: figures.length,
      drawnFigures: drawn.length,
      images: images.length,
      visibleImages: images.filter(visible).length,
      emptyOutputAreas: empty.length,
    };
  }, outputSelector);
}

describe.skipIf(chromium === undefined)("an executed notebook in a real browser", () => {
  const work = mkdtempSync(join(tmpdir(), "lepton-browser-"));
  let browser: Browser;
  let server: ChildProcess | undefined;
  let executed: string;
  let outputCount = 0;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    executed = join(work, NOTEBOOK);
    const result = await runNotebook(join(ROOT, "notebooks", NOTEBOOK), { outPath: executed });
    expect(result.status).toBe("ok");
    outputCount = (await readNotebook(executed)).cells.filter((cell) => (cell.outputs ?? []).length > 0).length;
    browser = await puppeteer.launch({
      executablePath: chromium!,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill();
  });

  it("holds plotly.js once, however many figures it has", () => {
    const saved = readFileSync(executed, "utf8");
    expect(saved.split("plotly.js v2.35.3").length - 1).toBe(1);
    expect(saved.split('class=\\"lepton-plotly\\"').length - 1).toBeGreaterThan(3);
  });

  it("draws every figure and image in nbconvert's HTML", async () => {
    await promisify(execFile)(PYTHON, ["-m", "nbconvert", "--to", "html", "--output-dir", work, executed], {
      timeout: 120_000,
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    await page.goto(`file://${join(work, NOTEBOOK.replace(/\.ipynb$/, ".html"))}`, {
      waitUntil: "load",
      timeout: 120_000,
    });
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll(".lepton-plotly")).every((div) => div.querySelector(".main-svg") !== null),
      { timeout: 60_000 },
    );
    const report = await inspectPage(page, ".jp-OutputArea-output");
    await page.screenshot({ path: join(SHOTS, "nbconvert-03.png"), fullPage: true });
    expect(report.figures).toBeGreaterThan(3);
    expect(report.drawnFigures).toBe(report.figures);
    expect(report.visibleImages).toBe(report.images);
    expect(report.emptyOutputAreas).toBe(0);
  }, 240_000);

  it("shows every figure's static image when the reopened notebook is untrusted", async () => {
    const served = mkdtempSync(join(tmpdir(), "lepton-served-"));
    copyFileSync(executed, join(served, NOTEBOOK));
    const token = "lepton-browser-test";
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    server = spawn(
      PYTHON,
      [
        "-m",
        "notebook",
        "--no-browser",
        "--ip=127.0.0.1",
        `--port=${port}`,
        `--NotebookApp.token=${token}`,
        `--notebook-dir=${served}`,
        "--allow-root",
      ],
      {
        stdio: "ignore",
        env: {
          ...process.env,
          JUPYTER_PATH: join(ROOT, "src", "kernel", "jupyter"),
          JUPYTER_RUNTIME_DIR: join(served, ".runtime"),
        },
      },
    );
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    const url = `http://127.0.0.1:${port}/notebooks/${NOTEBOOK}?token=${token}`;
    for (let attempt = 0; ; attempt++) {
      try {
        await page.goto(url, { waitUntil: "networkidle2", timeout: 30_000 });
        break;
      } catch (error) {
        if (attempt > 60) throw error;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    await page.waitForSelector(".output_area", { timeout: 60_000 });
    await page.waitForFunction(() => Array.from(document.querySelectorAll("img")).every((img) => img.complete), {
      timeout: 30_000,
    });
    const report = await inspectPage(page, ".output_subarea");
    await page.screenshot({ path: join(SHOTS, "notebook-server-untrusted-03.png") });
    await page.evaluate(() => document.querySelectorAll(".lepton-plotly")[1]?.scrollIntoView());
    await page.screenshot({ path: join(SHOTS, "notebook-server-untrusted-03-figure.png") });
    const outputAreas = await page.$$eval(
      ".output_wrapper .output",
      (areas) => areas.filter((area) => area.children.length > 0).length,
    );
    expect(outputAreas).toBe(outputCount);
    expect(report.figures).toBeGreaterThan(3);
    expect(report.drawnFigures).toBe(report.figures);
    expect(report.visibleImages).toBe(report.images);
    expect(report.emptyOutputAreas).toBe(0);
  }, 240_000);
});
