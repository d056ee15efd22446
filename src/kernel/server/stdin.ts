/**
 * Input from the user through Jupyter's stdin channel (messaging spec, "Messages on the stdin
 * ROUTER/DEALER channel"): `input_request` parented to the running cell's `execute_request`,
 * answered by the front end's `input_reply`. The socket lives in a worker thread
 * (stdin-worker.ts), so `prompt()` can be synchronous, as in Deno's kernel and the browser: the
 * cell's thread waits on a shared buffer that the worker fills. `input()` is the awaitable form.
 * A front end that sent `allow_stdin: false` (nbconvert, the headless runner) gets a clear error
 * instead of a cell that waits forever.
 */
import type { Worker } from "node:worker_threads";
import { typeScriptWorker } from "../typescript-worker";
import type { MessageHeader } from "../../jupyter";
import type { StdinAnswer, StdinRequest, StdinWorkerData, StdinWorkerMessage } from "./stdin-worker";
import { LeptonError } from "../../errors";

/** Raised when input cannot be asked for: stdin not allowed, no running cell, no stdin channel. */
export class StdinError extends LeptonError {}

/** The request a prompt answers to: the running cell's execute_request. */
export interface InputTarget {
  readonly parent: MessageHeader;
  readonly identities: readonly Buffer[];
  readonly allowStdin: boolean;
}

/** Options of {@link input}. */
export interface InputOptions {
  /** The front end hides what is typed (a password field). */
  readonly password?: boolean;
}

/** Atomics.waitAsync (ES2024, in Node since 16), absent from the ES2022 library types. */
interface AtomicsWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
  ): { async: false; value: string } | { async: true; value: Promise<string> };
}

const ANSWER_BYTES = 1 << 20;
const CHANNEL_KEY = Symbol.for("lepton.kernel.stdin");

/** The kernel's stdin channel: a worker thread bound to the stdin port. */
export class StdinChannel {
  private readonly worker: Worker;
  /**
   * Resolves once the worker has bound the stdin socket. Requests made before then wait in the
   * worker's queue, so the kernel need not wait for this thread (~0.3 s) before it serves.
   */
  readonly bound: Promise<void>;
  private readonly exited: Promise<void>;
  private failure: StdinError | undefined;

  /** `target` names the cell a prompt belongs to, or undefined when no cell is running. */
  constructor(
    data: StdinWorkerData,
    private readonly target: () => InputTarget | undefined,
  ) {
    this.worker = typeScriptWorker(require.resolve("./stdin-worker.ts"), {
      workerData: data,
      stdout: false,
      stderr: false,
    });
    this.worker.unref();
    this.exited = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.bound = new Promise<void>((resolve, reject) => {
      this.worker.on("message", (message: StdinWorkerMessage) =>
        message.kind === "bound"
          ? resolve()
          : reject(new StdinError(`the stdin channel could not start: ${message.message}`)),
      );
      this.worker.on("error", (error) => reject(new StdinError(`the stdin channel failed: ${error.message}`)));
    });
    this.bound.catch((error: StdinError) => (this.failure = error));
  }

  /** Makes this channel the one cells reach through {@link prompt} and {@link input}. */
  install(): this {
    (globalThis as { [CHANNEL_KEY]?: StdinChannel })[CHANNEL_KEY] = this;
    return this;
  }

  /** Sends the request and blocks this thread until the front end answers. */
  requestSync(prompt: string, password: boolean): string {
    const answer = this.post(prompt, password);
    Atomics.wait(new Int32Array(answer, 0, 1), 0, 0);
    return readAnswer(answer);
  }

  /** Sends the request; resolves with the front end's answer without blocking this thread. */
  async request(prompt: string, password: boolean): Promise<string> {
    const answer = this.post(prompt, password);
    const waited = (Atomics as unknown as AtomicsWaitAsync).waitAsync(new Int32Array(answer, 0, 1), 0, 0);
    if (waited.async) await waited.value;
    return readAnswer(answer);
  }

  private post(prompt: string, password: boolean): SharedArrayBuffer {
    const target = this.target();
    if (this.failure !== undefined) throw this.failure;
    if (target === undefined) throw new StdinError("input can only be requested while a cell runs");
    if (!target.allowStdin)
      throw new StdinError(
        "input was requested, but this front end does not accept input requests (its execute_request has allow_stdin: false)",
      );
    const answer = new SharedArrayBuffer(8 + ANSWER_BYTES);
    const request: StdinRequest = {
      kind: "request",
      identities: target.identities,
      parent: target.parent,
      prompt,
      password,
      answer,
    };
    this.worker.postMessage(request);
    return answer;
  }

  /** Closes the socket in the worker, which then ends. */
  async close(): Promise<void> {
    this.worker.postMessage({ kind: "close" });
    await this.exited;
  }
}

function readAnswer(buffer: SharedArrayBuffer): string {
  const length = new Int32Array(buffer, 0, 2)[1]!;
  const answer = JSON.parse(Buffer.from(new Uint8Array(buffer, 8, length)).toString("utf8")) as StdinAnswer;
  if ("error" in answer) throw new StdinError(answer.error);
  return answer.value;
}

function channel(): StdinChannel {
  const installed = (globalThis as { [CHANNEL_KEY]?: StdinChannel })[CHANNEL_KEY];
  if (installed === undefined) throw new StdinError("input needs a running Lepton kernel");
  return installed;
}

/** Asks the user for a line of text through the front end; resolves with what they typed. */
export function input(message = "", options: InputOptions = {}): Promise<string> {
  return channel().request(message, options.password === true);
}

/**
 * Asks the user for a line of text and waits for it synchronously, as the browser's and Deno's
 * `prompt`: an empty answer gives `defaultValue` when one is given. The kernel also installs this
 * as the global `prompt`.
 */
export function prompt(message = "", defaultValue?: string): string | null {
  const value = channel().requestSync(message, false);
  return value === "" && defaultValue !== undefined ? defaultValue : value;
}
