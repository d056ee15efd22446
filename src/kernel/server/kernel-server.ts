/**
 * The Lepton kernel's Jupyter side (Jupyter messaging protocol 5.3):
 * binds the five channels from the connection file and answers kernel_info (with status and the
 * TypeScript version really used), execute (errors as ename/evalue/traceback plus an iopub
 * `error`; the last value as `execute_result`, rich through src/display), is_complete,
 * complete, inspect, history, comm_info, interrupt, usage (JupyterLab's kernel-usage panel) and shutdown. stdout/stderr
 * and src/display's outputs are published on iopub under the request that caused them.
 */
import { inspect as inspectValue } from "node:util";
import * as zmq from "zeromq";
import { installSink, type MimeBundle } from "../../display/sink";
import type { AsyncCellCompiler } from "../compiler";
import {
  encodeMessage,
  endpoint,
  MessageSigner,
  messageHeader,
  PROTOCOL_VERSION,
  receiveMessages,
  type ConnectionInfo,
  type JupyterMessage,
  type MessageHeader,
} from "../../jupyter";
import { CellContexts } from "./cell-context";
import { CellExecutor } from "./cell-executor";
import { CommManager } from "./comms";
import { helpRequest } from "./help";
import { InputHistory } from "./history";
import { Outbox } from "./outbox";
import { prompt, StdinChannel, type InputTarget } from "./stdin";
import { UsageSampler } from "./usage";

/** What the server needs besides the connection: the compiler (already being built) and versions. */
export interface KernelServerOptions {
  readonly connection: ConnectionInfo;
  readonly projectRoot: string;
  readonly typescriptVersion: string;
  readonly implementationVersion: string;
  /** The cell compiler, built in a worker thread from the kernel's start (compiler/client.ts). */
  readonly compiler: AsyncCellCompiler;
  /** Called when the kernel should exit. */
  readonly onShutdown: (exitCode: number) => void;
}

/**
 * The rich bundle of a cell's value through src/display, loaded on the first object value: it
 * loads tfjs and sharp (~1 s), which a kernel answering kernel_info or `1 + 1` does not need.
 */
async function richBundle(value: unknown): Promise<MimeBundle | undefined> {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
  const { toMimeBundle } = require("../../display/bundle") as typeof import("../../display/bundle");
  return toMimeBundle(value);
}

/** A cell's value as Jupyter shows it: rich when src/display knows it, else util.inspect text. */
async function valueBundle(value: unknown): Promise<MimeBundle> {
  return (await richBundle(value)) ?? { "text/plain": inspectValue(value, { depth: 4, colors: false }) };
}

type Router = zmq.Router;

/** One kernel process's server. */
export class KernelServer {
  private readonly signer: MessageSigner;
  private readonly shell = new zmq.Router();
  private readonly control = new zmq.Router();
  private readonly iopub = new zmq.Publisher();
  private readonly heartbeat = new zmq.Reply();
  private readonly outboxes = new Map<zmq.Socket, Outbox>(
    [this.shell, this.control, this.iopub].map((socket) => [socket, new Outbox(socket)]),
  );
  private readonly history = new InputHistory();
  private readonly shellQueue: JupyterMessage[] = [];
  private executionCount = 0;
  private parent: MessageHeader | undefined;
  private readonly cells = new CellContexts().install();
  private readonly comms = new CommManager((msgType, content, buffers, metadata) =>
    this.publish(msgType, content, this.cells.outputParent(), buffers, metadata),
  ).install();
  private readonly executor: CellExecutor;
  private readonly stdin: StdinChannel;
  /** The execute_request whose cell is running: where its prompts go. */
  private inputTarget: InputTarget | undefined;
  private readonly usage: UsageSampler;
  private draining = false;
  private readonly originalWrite = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
  };

  constructor(private readonly options: KernelServerOptions) {
    this.signer = new MessageSigner(options.connection.key);
    this.executor = new CellExecutor(options.compiler, options.projectRoot);
    const info = options.connection;
    this.stdin = new StdinChannel(
      { key: info.key, url: endpoint(info, info.stdin_port) },
      () => this.inputTarget,
    ).install();
    // Node has no global prompt; cells get the browser's (and Deno's) synchronous one.
    (globalThis as { prompt?: unknown }).prompt ??= prompt;
    this.usage = new UsageSampler(options.projectRoot);
  }

  /** Binds the channels and starts serving. */
  async start(): Promise<void> {
    const info = this.options.connection;
    await Promise.all([
      this.shell.bind(endpoint(info, info.shell_port)),
      this.control.bind(endpoint(info, info.control_port)),
      this.iopub.bind(endpoint(info, info.iopub_port)),
      this.heartbeat.bind(endpoint(info, info.hb_port)),
    ]);
    this.stdin.bound.catch((error: Error) => this.originalWrite.stderr(`[lepton kernel] ${error.message}\n`));
    this.captureStreams();
    this.installDisplaySink();
    this.cells.trackTimers();
    process.on("SIGINT", () => this.interrupt());
    void this.serveHeartbeat();
    void this.serve(this.control, (message) => this.handleControl(message));
    void this.serve(this.shell, (message) => {
      // A message to an open comm (a widget's Stop button) is handled at once, even while a cell runs.
      if (message.header.msg_type === "comm_msg" || message.header.msg_type === "comm_close")
        return this.handleShell(message);
      this.shellQueue.push(message);
      void this.drainShell();
    });
    this.publish("status", { execution_state: "starting" }, undefined);
  }

  private async serveHeartbeat(): Promise<void> {
    for await (const frames of this.heartbeat) {
      if (this.heartbeat.closed) break;
      await this.heartbeat.send(frames);
    }
  }

  private serve(socket: Router, handle: (message: JupyterMessage) => void | Promise<void>): Promise<void> {
    return receiveMessages(socket, this.signer, handle, (error) =>
      this.originalWrite.stderr(`[lepton kernel] dropped a message: ${error.message}\n`),
    );
  }

  private send(
    socket: Router,
    request: JupyterMessage,
    msgType: string,
    content: Record<string, unknown>,
  ): Promise<void> {
    const header = { ...request.header, ...this.header(msgType) };
    return this.outboxes.get(socket)!.send(
      encodeMessage(this.signer, {
        identities: request.identities,
        header,
        parent_header: request.header,
        metadata: {},
        content,
      }),
    );
  }

  private header(msgType: string): MessageHeader {
    return messageHeader(msgType, this.parent?.session ?? "lepton-kernel");
  }

  private publish(
    msgType: string,
    content: Record<string, unknown>,
    parent: MessageHeader | undefined,
    buffers: readonly Buffer[] = [],
    metadata: Record<string, unknown> = {},
  ): void {
    const frames = encodeMessage(this.signer, {
      identities: [Buffer.from(`kernel.${msgType}`)],
      header: this.header(msgType),
      parent_header: parent ?? {},
      metadata,
      content,
      buffers,
    });
    this.outboxes
      .get(this.iopub)!
      .send(frames)
      .catch((error: Error) =>
        this.originalWrite.stderr(`[lepton kernel] could not publish ${msgType} on iopub: ${error.message}\n`),
      );
  }

  private captureStreams(): void {
    for (const name of ["stdout", "stderr"] as const) {
      const stream = process[name];
      stream.write = ((chunk: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown) => {
        const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
        this.publish("stream", { name, text }, this.cells.outputParent());
        const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
        if (typeof done === "function") (done as () => void)();
        return true;
      }) as typeof stream.write;
    }
  }

  private installDisplaySink(): void {
    const content = (
      bundle: MimeBundle,
      metadata: Record<string, unknown> | undefined,
      displayId: string | undefined,
    ) => ({
      data: bundle,
      metadata: metadata ?? {},
      transient: displayId === undefined ? {} : { display_id: displayId },
    });
    installSink({
      display: (bundle, options) =>
        this.publish("display_data", content(bundle, options?.metadata, options?.displayId), this.cells.outputParent()),
      update: (bundle, options) =>
        this.publish(
          "update_display_data",
          content(bundle, options.metadata, options.displayId),
          this.cells.outputParent(),
        ),
      clear: (wait) => this.publish("clear_output", { wait }, this.cells.outputParent()),
      pending: (work) => this.cells.track(work),
      outputCell: () => this.cells.outputCell(),
    });
  }

  private async handleControl(message: JupyterMessage): Promise<void> {
    switch (message.header.msg_type) {
      case "shutdown_request":
        return this.shutdown(message, this.control);
      case "interrupt_request":
        this.interrupt();
        await this.send(this.control, message, "interrupt_reply", { status: "ok" });
        return;
      case "kernel_info_request":
        return this.kernelInfo(message, this.control);
      case "usage_request":
        await this.send(this.control, message, "usage_reply", { ...this.usage.sample() });
        return;
      default:
        return;
    }
  }

  /** Stops the running cell: its awaits fail, its timers are cleared, its training loops stop at the next batch. */
  private interrupt(): void {
    this.cells.clearTimersOfRunningCell();
    this.executor.interrupt();
  }

  private async drainShell(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let message = this.shellQueue.shift(); message !== undefined; message = this.shellQueue.shift()) {
        await this.handleShell(message);
      }
    } finally {
      this.draining = false;
    }
  }

  private async handleShell(message: JupyterMessage): Promise<void> {
    const type = message.header.msg_type;
    this.parent = message.header;
    this.publish("status", { execution_state: "busy" }, message.header);
    try {
      switch (type) {
        case "kernel_info_request":
          await this.kernelInfo(message, this.shell);
          break;
        case "execute_request":
          await this.execute(message);
          break;
        case "is_complete_request":
          await this.send(
            this.shell,
            message,
            "is_complete_reply",
            await this.options.compiler.isComplete(String(message.content.code ?? "")),
          );
          break;
        case "complete_request":
          await this.complete(message);
          break;
        case "inspect_request":
          await this.inspect(message);
          break;
        case "history_request":
          await this.send(this.shell, message, "history_reply", {
            status: "ok",
            history: this.history.query(message.content),
          });
          break;
        case "comm_info_request": {
          const target = message.content.target_name;
          await this.send(this.shell, message, "comm_info_reply", {
            status: "ok",
            comms: this.comms.info(typeof target === "string" && target !== "" ? target : undefined),
          });
          break;
        }
        case "comm_open":
        case "comm_msg":
        case "comm_close":
          try {
            this.cells.within(message.header, () => this.comms.receive(type, message.content, message.buffers));
          } catch (error) {
            this.publish(
              "stream",
              { name: "stderr", text: `comm handler failed: ${(error as Error).stack ?? String(error)}\n` },
              message.header,
            );
          }
          break;
        case "shutdown_request":
          await this.shutdown(message, this.shell);
          break;
        default:
          break;
      }
    } finally {
      this.publish("status", { execution_state: "idle" }, message.header);
    }
  }

  private async kernelInfo(message: JupyterMessage, socket: Router): Promise<void> {
    await this.send(socket, message, "kernel_info_reply", {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: "lepton",
      implementation_version: this.options.implementationVersion,
      language_info: {
        name: "typescript",
        version: this.options.typescriptVersion,
        mimetype: "text/typescript",
        file_extension: ".ts",
        codemirror_mode: "typescript", // a string, as Deno's kernel settled on: some clients break on the object form
      },
      banner: `Lepton (TypeScript ${this.options.typescriptVersion}, Node.js ${process.versions.node}) — strict mode`,
      help_links: [{ text: "Lepton Workbook", url: "https://github.com/lepton-workbook" }],
    });
  }

  private async execute(message: JupyterMessage): Promise<void> {
    const code = String(message.content.code ?? "");
    const silent = message.content.silent === true;
    const storeHistory = !silent && message.content.store_history !== false;
    if (storeHistory) this.executionCount += 1;
    const count = this.executionCount;
    if (!silent) this.publish("execute_input", { code, execution_count: count }, message.header);
    if (storeHistory) this.history.add(count, code);
    const help = helpRequest(code);
    if (help !== undefined) return this.help(message, help.name, count, help.detailLevel);
    const cellId = typeof message.metadata.cellId === "string" ? message.metadata.cellId : undefined;
    this.inputTarget = {
      parent: message.header,
      identities: message.identities,
      allowStdin: message.content.allow_stdin === true,
    };
    const cell = this.cells.run(message.header, () => this.executor.run(code, count), cellId);
    const outcome = await cell.result.finally(() => (this.inputTarget = undefined));
    // Displays the cell started without awaiting are sent before the cell reports done.
    for (const { error } of await this.cells.settle(cell.context)) {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.publish("stream", { name: "stderr", text: `a display this cell started failed: ${text}\n` }, message.header);
    }
    if (outcome.status === "error") return this.replyError(message, count, outcome);
    if (outcome.hasValue && !silent) {
      let bundle: MimeBundle;
      try {
        bundle = await valueBundle(outcome.value);
      } catch (error) {
        const { name, message: text } = error instanceof Error ? error : new Error(String(error));
        return this.replyError(message, count, {
          ename: name,
          evalue: text,
          traceback: [`${name}: ${text}`, `while displaying the value of cell[${count}]`],
        });
      }
      if (storeHistory) this.history.setOutput(count, String(bundle["text/plain"]));
      this.publish("execute_result", { execution_count: count, data: bundle, metadata: {} }, message.header);
    }
    await this.send(this.shell, message, "execute_reply", {
      status: "ok",
      execution_count: count,
      payload: [],
      user_expressions: {},
    });
  }

  private async replyError(
    message: JupyterMessage,
    count: number,
    failure: { ename: string; evalue: string; traceback: readonly string[] },
  ): Promise<void> {
    const error = { ename: failure.ename, evalue: failure.evalue, traceback: [...failure.traceback] };
    this.publish("error", error, message.header);
    await this.send(this.shell, message, "execute_reply", { status: "error", execution_count: count, ...error });
    if (message.content.stop_on_error !== false) await this.abortQueued();
  }

  /** `name?`: the name's documentation as a pager payload (help.ts). */
  private async help(message: JupyterMessage, name: string, count: number, detailLevel: 0 | 1): Promise<void> {
    const text = await this.executor.inspect(name, name.length, detailLevel);
    const payload = text === undefined ? [] : [{ source: "page", data: { "text/plain": text }, start: 0 }];
    if (text === undefined)
      this.publish("stream", { name: "stdout", text: `no documentation found for ${name}\n` }, message.header);
    await this.send(this.shell, message, "execute_reply", {
      status: "ok",
      execution_count: count,
      payload,
      user_expressions: {},
    });
  }

  /**
   * After a failed cell, execute requests already queued behind it are answered "aborted" (as ipykernel does); later
   * ones run.
   */
  private async abortQueued(): Promise<void> {
    const queued = this.shellQueue.splice(0, this.shellQueue.length);
    for (const message of queued) {
      if (message.header.msg_type !== "execute_request") {
        this.shellQueue.push(message);
        continue;
      }
      this.publish("status", { execution_state: "busy" }, message.header);
      await this.send(this.shell, message, "execute_reply", {
        status: "aborted",
        execution_count: this.executionCount,
      });
      this.publish("status", { execution_state: "idle" }, message.header);
    }
  }

  private async complete(message: JupyterMessage): Promise<void> {
    const code = String(message.content.code ?? "");
    const cursor = Number(message.content.cursor_pos ?? code.length);
    const completion = await this.executor.complete(code, cursor);
    await this.send(this.shell, message, "complete_reply", {
      status: "ok",
      matches: [...completion.candidates],
      cursor_start: completion.start,
      cursor_end: completion.end,
      // JupyterLab's completer shows each match's type and signature from here (as ipykernel sends it).
      metadata: {
        _jupyter_types_experimental: completion.typed.map((item) => ({
          start: completion.start,
          end: completion.end,
          ...item,
        })),
      },
    });
  }

  private async inspect(message: JupyterMessage): Promise<void> {
    const code = String(message.content.code ?? "");
    const cursor = Number(message.content.cursor_pos ?? code.length);
    const text = await this.executor.inspect(code, cursor, Number(message.content.detail_level ?? 0));
    await this.send(this.shell, message, "inspect_reply", {
      status: "ok",
      found: text !== undefined,
      data: text === undefined ? {} : { "text/plain": text },
      metadata: {},
    });
  }

  private async shutdown(message: JupyterMessage, socket: Router): Promise<void> {
    const restart = message.content.restart === true;
    await this.send(socket, message, "shutdown_reply", { status: "ok", restart });
    await Promise.all([this.options.compiler.close(), this.stdin.close()]);
    setTimeout(() => {
      this.closeSockets();
      this.options.onShutdown(0);
    }, 20);
  }

  /**
   * Closes the four channels. zeromq's context ends at process exit and aborts the process ("terminate called after
   * throwing an instance of 'Napi::Error'") when a socket is still open then; the linger lets the replies already
   * queued (shutdown_reply, the last status) go out first.
   */
  private closeSockets(): void {
    for (const socket of [this.shell, this.control, this.iopub, this.heartbeat]) {
      socket.linger = 1000;
      socket.close();
    }
  }
}
