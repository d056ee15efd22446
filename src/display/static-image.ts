/**
 * A static PNG of a plotly figure, drawn by plotly.js itself in a headless Chromium (as plotly's
 * own Kaleido now does with the system's Chrome), so a figure still shows where its script cannot
 * run: a notebook reopened untrusted, nbconvert HTML without the library, GitHub and other static
 * viewers. One browser serves the whole process and closes with it. Where no Chromium is found,
 * one line says so and figures go out without their picture.
 */
import { existsSync } from "node:fs";
import type { Browser, Page } from "puppeteer-core";

/** Where Chromium is looked for: LEPTON_CHROMIUM, then the usual system paths. */
export function chromiumPath(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const candidates = [env.LEPTON_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  return candidates.find((path): path is string => path !== undefined && path !== "" && existsSync(path));
}

/** The figure as plotly renderers read it. */
export interface FigureSpec {
  readonly data: unknown[];
  readonly layout: Record<string, unknown>;
  readonly config: Record<string, unknown>;
}

const RENDER_TIMEOUT_MS = 20_000;

interface Renderer {
  readonly browser: Browser;
  readonly page: Page;
}

let renderer: Promise<Renderer | undefined> | undefined;
let saidWhyNot = false;

function sayOnce(line: string): void {
  if (saidWhyNot) return;
  saidWhyNot = true;
  console.log(line);
}

async function startRenderer(): Promise<Renderer | undefined> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) {
    sayOnce(
      "figures: no Chromium found (set LEPTON_CHROMIUM or install chromium), so figures carry no static image for untrusted and static views",
    );
    return undefined;
  }
  try {
    const puppeteer = (await import("puppeteer-core")).default;
    const browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
      timeout: RENDER_TIMEOUT_MS,
      // SIGINT is the kernel's interrupt (Jupyter sends one before every shutdown request, and the interrupt
      // button sends one): puppeteer's own handler would end the whole process on it. The browser still
      // goes at exit, below and by puppeteer's exit handler.
      handleSIGINT: false,
    });
    browser.process()?.unref();
    const page = await browser.newPage();
    await page.addScriptTag({ path: require.resolve("plotly.js-dist-min/plotly.min.js") });
    process.once("exit", () => browser.process()?.kill());
    return { browser, page };
  } catch (error) {
    sayOnce(
      `figures: Chromium at ${executablePath} did not start (${(error as Error).message.split("\n")[0]}), so figures carry no static image`,
    );
    return undefined;
  }
}

/**
 * The figure as a PNG (base64), `width`×`height` pixels, or undefined when no
 * browser is available or drawing fails.
 */
export async function figurePng(spec: FigureSpec, width: number, height: number): Promise<string | undefined> {
  renderer ??= startRenderer();
  const ready = await renderer;
  if (ready === undefined) return undefined;
  try {
    const url = await ready.page.evaluate(
      async (figure: FigureSpec, w: number, h: number) => {
        const plotly = (globalThis as unknown as { Plotly: { toImage(f: unknown, o: unknown): Promise<string> } })
          .Plotly;
        return plotly.toImage(
          {
            data: figure.data,
            layout: { ...figure.layout, width: w, height: h },
            config: { ...figure.config, staticPlot: true },
          },
          { format: "png", width: w, height: h, scale: 1 },
        );
      },
      spec,
      width,
      height,
    );
    return url.replace(/^data:image\/png;base64,/, "");
  } catch (error) {
    sayOnce(`figures: a static image could not be drawn (${(error as Error).message.split("\n")[0]})`);
    return undefined;
  }
}

/** Closes the browser (tests; a kernel lets process exit do it). */
export async function closeFigureRenderer(): Promise<void> {
  const ready = await renderer;
  renderer = undefined;
  await ready?.browser.close();
}
