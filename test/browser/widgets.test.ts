/**
 * Widgets drawn by ipywidgets 8's own front end (@jupyter-widgets/html-manager, bundled by
 * esbuild) in a real Chromium, wired to the live kernel: Jupyter's own client runs the kernel
 * (clients/kernel_bridge.py), every comm message it publishes reaches the page's widget manager,
 * and every message the page's widgets send goes back to the kernel. The slider and the button
 * must appear with their state, a click must reach the kernel's handler, a kernel-side change must
 * move the slider's readout, a value typed into the readout must reach the kernel's model, and
 * the training-progress widget's Stop button, clicked in the page, must end a running fit.
 * A screenshot goes to out/browser/.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath } from "../../src/display/static-image";

const ROOT = resolve(__dirname, "..", "..");
const SHOTS = join(ROOT, "out", "browser");
const WIDGETS = resolve(ROOT, "src", "kernel", "widgets");
/** The cell that makes a slider and a button, as the wire-level widgets test runs it too. */
const SLIDER_AND_BUTTON_CELL = readFileSync(
  resolve(ROOT, "test", "unit", "kernel", "clients", "slider_and_button_cell.txt"),
  "utf8",
);
const VIEW_MIME = "application/vnd.jupyter.widget-view+json";
const chromium = chromiumPath();

interface Record_ {
  readonly kind: "ready" | "sent" | "iopub" | "shell";
  readonly msg_id?: string;
  readonly msg_type?: string;
  readonly parent?: string;
  readonly content?: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
  readonly buffers?: string[];
}

/** The kernel through kernel_bridge.py: commands in, every iopub and shell message out. */
class KernelBridge {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly sent: ((msgId: string) => void)[] = [];
  private readonly byParent = new Map<string, Record_[]>();
  private readonly idleWaiters = new Map<string, () => void>();
  private readonly stderr: string[] = [];
  readonly ready: Promise<void>;

  constructor(private readonly onIopub: (record: Record_) => void) {
    this.child = spawn("/usr/bin/python3", [resolve(__dirname, "clients", "kernel_bridge.py")], {
      cwd: resolve(ROOT, "notebooks"),
      env: { ...process.env, JUPYTER_PATH: resolve(ROOT, "src", "kernel", "jupyter") },
    });
    this.child.stderr.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString()));
    let started: () => void;
    this.ready = new Promise((resolveReady) => (started = resolveReady));
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      const record = JSON.parse(line) as Record_;
      if (record.kind === "ready") started();
      else if (record.kind === "sent") this.sent.shift()!(record.msg_id!);
      else {
        const parent = record.parent ?? "";
        this.byParent.set(parent, [...(this.byParent.get(parent) ?? []), record]);
        if (record.kind === "iopub") this.onIopub(record);
        this.idleWaiters.get(parent)?.();
      }
    });
  }

  /** Sends a command; resolves with the message id once the request is on its way. */
  send(command: Record<string, unknown>): Promise<string> {
    return new Promise((resolveSent) => {
      this.sent.push(resolveSent);
      this.child.stdin.write(`${JSON.stringify(command)}\n`);
    });
  }

  /**
   * Resolves when the kernel has gone idle after `msgId` (and, with `withReply`, its shell reply has
   * come too: the two travel on different sockets, in either order), with the messages it caused.
   */
  idle(msgId: string, timeoutMs = 60_000, withReply = false): Promise<Record_[]> {
    const done = () => {
      const records = this.byParent.get(msgId) ?? [];
      return (
        records.some((r) => r.msg_type === "status" && r.content?.execution_state === "idle") &&
        (!withReply || records.some((r) => r.kind === "shell"))
      );
    };
    return new Promise((resolveIdle, reject) => {
      const finish = () => resolveIdle(this.byParent.get(msgId) ?? []);
      if (done()) return finish();
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no idle${withReply ? " and reply" : ""} for ${msgId} in ${timeoutMs} ms; kernel stderr: ${this.stderr.join("").slice(-2000)}`,
            ),
          ),
        timeoutMs,
      );
      this.idleWaiters.set(msgId, () => {
        if (!done()) return;
        this.idleWaiters.delete(msgId);
        clearTimeout(timer);
        finish();
      });
    });
  }

  /** Runs a cell; returns its execute_result's text, if any. */
  async run(code: string): Promise<string | undefined> {
    const records = await this.idle(await this.send({ op: "execute", code }), 60_000, true);
    const reply = records.find((r) => r.kind === "shell")?.content;
    if (reply !== undefined && reply.status !== "ok") throw new Error(`cell failed: ${JSON.stringify(reply)}`);
    const result = records.find((r) => r.msg_type === "execute_result");
    return (result?.content?.data as Record<string, string> | undefined)?.["text/plain"];
  }

  /** Everything seen under `parent`. */
  messagesOf(parent: string): Record_[] {
    return this.byParent.get(parent) ?? [];
  }

  close(): void {
    this.child.stdin.end();
  }
}

async function bundlePage(dir: string): Promise<string> {
  const esbuild = (await import("esbuild")) as typeof import("esbuild");
  await esbuild.build({
    entryPoints: [resolve(__dirname, "widgets", "page.ts")],
    bundle: true,
    outdir: dir,
    format: "iife",
    platform: "browser",
    logLevel: "silent",
    loader: { ".woff": "dataurl", ".woff2": "dataurl", ".ttf": "dataurl", ".eot": "dataurl", ".svg": "dataurl" },
    define: { "process.env.NODE_ENV": '"production"' },
  });
  const html = join(dir, "index.html");
  writeFileSync(
    html,
    '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="page.css"></head><body><script src="page.js"></script></body></html>',
  );
  return pathToFileURL(html).href;
}

describe.skipIf(chromium === undefined)("widgets in a real browser, wired to the live kernel", () => {
  const work = mkdtempSync(join(tmpdir(), "lepton-widgets-"));
  let browser: Browser;
  let page: Page;
  let bridge: KernelBridge;
  /** The page's receipt of kernel messages, in order. */
  let forwarding: Promise<unknown> = Promise.resolve();
  const pageErrors: string[] = [];
  const commIds: string[] = [];

  const readout = () => page.$eval(".widget-slider .widget-readout", (el) => el.textContent);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const url = await bundlePage(work);
    browser = await puppeteer.launch({
      executablePath: chromium!,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--allow-file-access-from-files"],
    });
    page = await browser.newPage();
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    bridge = new KernelBridge((record) => {
      const content = record.content ?? {};
      if (record.msg_type === "comm_open" || record.msg_type === "comm_msg" || record.msg_type === "comm_close") {
        if (record.msg_type === "comm_open") commIds.push(String(content.comm_id));
        forwarding = forwarding.then(() =>
          page.evaluate(
            (kind, c, m, b) => window.leptonWidgets.receive(kind, c, m, b),
            record.msg_type!,
            content,
            record.metadata ?? {},
            record.buffers ?? [],
          ),
        );
      }
      const view = (content.data as Record<string, { model_id?: string }> | undefined)?.[VIEW_MIME];
      if (
        (record.msg_type === "display_data" || record.msg_type === "execute_result") &&
        view?.model_id !== undefined
      ) {
        forwarding = forwarding.then(() => page.evaluate((id) => window.leptonWidgets.display(id), view.model_id!));
      }
    });
    await page.exposeFunction("leptonCommSend", async (commId: string, data: unknown, buffers: string[]) => {
      await bridge.idle(await bridge.send({ op: "comm_msg", comm_id: commId, data, buffers }));
    });
    await page.goto(url);
    await bridge.ready;
  }, 300_000);

  afterAll(async () => {
    bridge?.close();
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("draws the kernel's slider and button, and carries clicks, kernel updates and typed values both ways", async () => {
    await bridge.run(
      [`import { Button, FloatSlider } from ${JSON.stringify(WIDGETS)};`, SLIDER_AND_BUTTON_CELL, "button"].join("\n"),
    );
    await forwarding;
    await page.waitForSelector(".widget-slider .widget-readout", { timeout: 30_000 });
    expect(await readout()).toBe("0.25");
    expect(await page.$eval(".widget-slider .widget-label", (el) => el.textContent)).toBe("rate");
    expect(await page.$eval("button.widget-button", (el) => el.textContent!.trim())).toBe("Stop");

    // A real click in the page reaches the kernel's handler.
    await page.click("button.widget-button");
    const deadline = Date.now() + 20_000;
    while ((await bridge.run("clicks")) !== "1" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await bridge.run("clicks")).toBe("1");

    // The kernel moves the slider: the page's readout follows.
    await bridge.run("slider.value = 0.75;");
    await forwarding;
    await page.waitForFunction(() => document.querySelector(".widget-slider .widget-readout")?.textContent === "0.75", {
      timeout: 10_000,
    });

    // A value typed into the slider's readout reaches the kernel's model and its observer.
    await page.click(".widget-slider .widget-readout");
    await page.keyboard.down("Control");
    await page.keyboard.press("a");
    await page.keyboard.up("Control");
    await page.keyboard.type("0.5");
    await page.keyboard.press("Enter");
    const typedDeadline = Date.now() + 20_000;
    while ((await bridge.run("slider.value")) !== "0.5" && Date.now() < typedDeadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(await bridge.run("slider.value")).toBe("0.5");
    expect(await bridge.run("JSON.stringify(seen)")).toBe("'[0.75,0.5]'");
    await forwarding;
    expect(await readout()).toBe("0.50");

    expect(pageErrors).toEqual([]);
    expect(commIds.length).toBeGreaterThanOrEqual(6);
  }, 240_000);

  it("stops a running fit from the training-progress widget's Stop button clicked in the page", async () => {
    const running = await bridge.send({
      op: "execute",
      code: [
        'import * as tf from "@tensorflow/tfjs";',
        `import { fit } from ${JSON.stringify(resolve(ROOT, "src", "training", "fit"))};`,
        `import { TrainingProgress } from ${JSON.stringify(WIDGETS)};`,
        "const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [4], activation: 'relu' }), tf.layers.dense({ units: 1 })] });",
        "model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });",
        "const x = tf.randomNormal([64, 4], 0, 1, 'float32', 1);",
        "const y = tf.randomNormal([64, 1], 0, 1, 'float32', 2);",
        "const progress = new TrainingProgress({ epochs: 100_000, batchesPerEpoch: 8 });",
        "progress.display();",
        "const result = await fit(model, x, y, { epochs: 100_000, batchSize: 8, ...progress.hooks() });",
        "progress.finish(result);",
      ].join("\n"),
    });
    // Once the label reports a second finished epoch, the user clicks Stop.
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll(".widget-label")).some((el) =>
          /^epoch ([2-9]|\d{2,})\/100000 · loss/.test(el.textContent ?? ""),
        ),
      { timeout: 60_000, polling: 100 },
    );
    const stop = (await page.$$("button.widget-button")).at(-1)!;
    expect(await stop.evaluate((el) => el.textContent!.trim())).toBe("Stop");
    await stop.click();
    await bridge.idle(running, 60_000, true);
    const reply = bridge.messagesOf(running).find((r) => r.kind === "shell")?.content;
    expect(reply?.status).toBe("ok");
    expect(await bridge.run("result.stopped?.reason")).toBe("'stopped from the Stop button'");
    expect(await bridge.run("result.epochs.length === result.history.loss!.length && result.epochs.length >= 2")).toBe(
      "true",
    );
    await forwarding;
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll(".widget-label")).some((el) =>
          /epochs · stopped in epoch \d+ by the Stop button$/.test(el.textContent ?? ""),
        ),
      { timeout: 10_000 },
    );
    expect(await stop.evaluate((el) => (el as HTMLButtonElement).disabled)).toBe(true);
    await page.screenshot({ path: join(SHOTS, "widgets.png") });
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
