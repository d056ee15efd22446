/**
 * A Jupyter client for one kernel process: starts the kernel from its kernelspec, connects the
 * shell, control and iopub channels over zeromq, and runs requests, collecting the iopub
 * messages that answer each one.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as zmq from "zeromq";
import { processCpuSeconds } from "./process-cpu";
import {
  encodeMessage,
  endpoint,
  findKernelSpec,
  kernelArgv,
  MessageSigner,
  newConnectionInfo,
  receiveMessages,
  Session,
  writeConnectionFile,
  type ConnectionInfo,
  type JupyterMessage,
  type ResolvedKernelSpec,
} from "../jupyter";
import { kernelSearchDirs } from "./kernel-dirs";
import { LeptonError } from "../errors";

/** How to start a kernel. */
export interface KernelLaunchOptions {
  /** Kernelspec name (default `lepton`). */
  readonly kernelName?: string;
  /** A kernelspec already resolved; wins over `kernelName`. */
  readonly kernelSpec?: ResolvedKernelSpec;
  /** Working directory of the kernel (a notebook's folder). */
  readonly cwd?: string;
  /** Extra environment variables for the kernel. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long to wait for the first kernel_info_reply (default 60 s). */
  readonly startupTimeoutMs?: number;
}

/** What one execute_request produced. */
export interface ExecutionResult {
  /** The execute_reply content (`status`, `execution_count`, and `ename`… on error). */
  readonly reply: Record<string, unknown>;
  /** The iopub messages whose parent is this request, in arrival order (status messages left out). */
  readonly iopub: readonly JupyterMessage[];
  /** Set when the request ran past its timeout and was interrupted. */
  readonly timedOut: boolean;
}

/** Raised when the kernel process exits or cannot be reached. */
export class KernelDiedError extends LeptonError {}

/** Raised when a request gets no reply in time. */
export class KernelTimeoutError extends LeptonError {}

interface PendingRequest {
  readonly iopub: JupyterMessage[];
  reply?: Record<string, unknown>;
  idle: boolean;
  onProgress: () => void;
}

type Channel = "shell" | "control";

const STDERR_TAIL_LINES = 40;
const IDLE_GRACE_MS = 2_000;

/** A running kernel with its sockets; create with {@link startKernel}. */
export class KernelClient {
  private readonly session = new Session();
  private readonly signer: MessageSigner;
  private readonly shell = new zmq.Dealer({ linger: 0 });
  private readonly control = new zmq.Dealer({ linger: 0 });
  private readonly iopub = new zmq.Subscriber({ linger: 0 });
  private readonly pending = new Map<string, PendingRequest>();
  private readonly stderrTail: string[] = [];
  private exitDescription: string | undefined;
  private iopubSeen = false;
  private closed = false;
  private readonly deathListeners = new Set<() => void>();

  /** @internal use {@link startKernel} */
  constructor(
    readonly kernel: ResolvedKernelSpec,
    /** The ports and HMAC key the kernel was started with (its connection file's content). */
    readonly connection: ConnectionInfo,
    /** The connection file on disk (mode 0600), removed at shutdown. */
    readonly connectionFile: string,
    private readonly child: ChildProcess,
  ) {
    this.signer = new MessageSigner(connection.key);
    this.shell.connect(endpoint(connection, connection.shell_port));
    this.control.connect(endpoint(connection, connection.control_port));
    this.iopub.connect(endpoint(connection, connection.iopub_port));
    this.iopub.subscribe();
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => this.keepStderr(chunk));
    child.stdout?.resume();
    child.once("exit", (code, signal) => {
      this.exitDescription = signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
      for (const listener of this.deathListeners) listener();
    });
    void this.receiveLoop(this.shell);
    void this.receiveLoop(this.control);
    void this.receiveLoop(this.iopub);
  }

  /** The last lines the kernel wrote to stderr (for diagnostics). */
  stderr(): string {
    return this.stderrTail.join("");
  }

  /** The kernel's process id (undefined if it never started). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether the kernel process is still running. */
  get alive(): boolean {
    return this.exitDescription === undefined;
  }

  private keepStderr(chunk: string): void {
    this.stderrTail.push(chunk);
    while (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
  }

  private async receiveLoop(socket: zmq.Dealer | zmq.Subscriber): Promise<void> {
    try {
      await receiveMessages(
        socket,
        this.signer,
        (message) => this.route(socket === this.iopub, message),
        (error) => this.keepStderr(`[runner] dropped a message: ${error.message}\n`),
      );
    } catch (error) {
      if (!this.closed) this.keepStderr(`[runner] socket closed: ${(error as Error).message}\n`);
    }
  }

  private route(fromIopub: boolean, message: JupyterMessage): void {
    if (fromIopub) this.iopubSeen = true;
    const request = this.pending.get(message.parent_header.msg_id ?? "");
    if (request === undefined) return;
    if (!fromIopub) request.reply = message.content;
    else if (message.header.msg_type === "status") {
      if (message.content.execution_state === "idle") request.idle = true;
    } else request.iopub.push(message);
    request.onProgress();
  }

  private socketFor(channel: Channel): zmq.Dealer {
    return channel === "shell" ? this.shell : this.control;
  }

  /** Sends a request and waits (up to `timeoutMs`) for its reply and for the kernel to go idle. */
  private async roundTrip(
    channel: Channel,
    msgType: string,
    content: Record<string, unknown>,
    timeoutMs: number,
    metadata: Record<string, unknown> = {},
  ): Promise<{ state: PendingRequest; answered: boolean; msgId: string }> {
    if (!this.alive) throw new KernelDiedError(this.deathMessage());
    const state: PendingRequest = { iopub: [], idle: false, onProgress: () => undefined };
    const header = this.session.header(msgType);
    this.pending.set(header.msg_id, state);
    try {
      const answered = this.waitFor(state, timeoutMs);
      await this.socketFor(channel).send(encodeMessage(this.signer, { header, parent_header: {}, metadata, content }));
      return { state, answered: await answered, msgId: header.msg_id };
    } catch (error) {
      this.pending.delete(header.msg_id);
      throw error;
    }
  }

  /**
   * Sends a request and returns its reply with the iopub messages it caused; waits for the kernel
   * to go idle on iopub (or a short grace period after the reply, for kernels that publish no status).
   */
  async request(
    channel: Channel,
    msgType: string,
    content: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<{ reply: Record<string, unknown>; iopub: JupyterMessage[] }> {
    const { state, answered, msgId } = await this.roundTrip(channel, msgType, content, timeoutMs);
    this.pending.delete(msgId);
    if (!answered) throw new KernelTimeoutError(`${msgType} got no reply in ${timeoutMs} ms`);
    return { reply: state.reply ?? {}, iopub: state.iopub };
  }

  /**
   * Runs code; on timeout interrupts the kernel and returns what arrived, marked `timedOut`.
   * `cellId` goes in the request's metadata as JupyterLab and nbclient send it.
   */
  async execute(code: string, options: { timeoutMs?: number; cellId?: string } = {}): Promise<ExecutionResult> {
    const content = {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    };
    const metadata = options.cellId === undefined ? {} : { cellId: options.cellId };
    const { state, answered, msgId } = await this.roundTrip(
      "shell",
      "execute_request",
      content,
      options.timeoutMs ?? 600_000,
      metadata,
    );
    try {
      if (answered) return { reply: state.reply ?? {}, iopub: state.iopub, timedOut: false };
      await this.interrupt();
      await this.waitFor(state, 10_000);
      return { reply: state.reply ?? { status: "aborted" }, iopub: state.iopub, timedOut: true };
    } finally {
      this.pending.delete(msgId);
    }
  }

  /** Resolves true when the request is answered and idle, false on timeout; rejects if the kernel dies. */
  private waitFor(state: PendingRequest, timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolveWait, reject) => {
      let graceTimer: NodeJS.Timeout | undefined;
      const onDeath = () => settle(() => reject(new KernelDiedError(this.deathMessage())));
      const timer = setTimeout(() => settle(() => resolveWait(false)), timeoutMs);
      const settle = (then: () => void) => {
        clearTimeout(timer);
        clearTimeout(graceTimer);
        this.deathListeners.delete(onDeath);
        state.onProgress = () => undefined;
        then();
      };
      this.deathListeners.add(onDeath);
      if (!this.alive) return onDeath();
      state.onProgress = () => {
        if (state.reply === undefined) return;
        if (state.idle || !this.iopubSeen) settle(() => resolveWait(true));
        else graceTimer ??= setTimeout(() => settle(() => resolveWait(true)), IDLE_GRACE_MS);
      };
      state.onProgress();
    });
  }

  /** Interrupts the running request: SIGINT, or an interrupt_request when the kernelspec asks for messages. */
  async interrupt(): Promise<void> {
    if (!this.alive) return;
    if (this.kernel.spec.interrupt_mode === "message") {
      await this.socketFor("control").send(
        encodeMessage(this.signer, {
          header: this.session.header("interrupt_request"),
          parent_header: {},
          metadata: {},
          content: {},
        }),
      );
    } else {
      this.child.kill("SIGINT");
    }
  }

  private deathMessage(): string {
    const tail = this.stderr().trim();
    return `kernel "${this.kernel.name}" ${this.exitDescription ?? "is unreachable"}${tail ? `; its last stderr:\n${tail}` : ""}`;
  }

  /** Waits until the kernel answers kernel_info and its iopub channel delivers (the slow-joiner problem). */
  async waitReady(timeoutMs: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let info: Record<string, unknown> | undefined;
    while (Date.now() < deadline) {
      try {
        const { reply } = await this.request(
          "shell",
          "kernel_info_request",
          {},
          Math.min(2_000, deadline - Date.now()),
        );
        info = reply;
        if (this.iopubSeen) return info;
      } catch (error) {
        if (error instanceof KernelDiedError) throw error;
      }
    }
    if (info !== undefined) return info;
    throw new KernelTimeoutError(
      `kernel "${this.kernel.name}" did not answer kernel_info in ${timeoutMs} ms; stderr:\n${this.stderr()}`,
    );
  }

  /** CPU seconds the kernel process has used so far (Linux), for run summaries. */
  cpuSeconds(): number | undefined {
    return processCpuSeconds(this.child.pid);
  }

  /** Asks the kernel to shut down, then makes sure the process is gone and the connection file removed. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    if (this.alive) {
      const exited = new Promise<void>((resolveExit) => this.child.once("exit", () => resolveExit()));
      const header = this.session.header("shutdown_request");
      await this.control
        .send(encodeMessage(this.signer, { header, parent_header: {}, metadata: {}, content: { restart: false } }))
        .catch(() => undefined);
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(timer);
    }
    this.closed = true;
    for (const socket of [this.shell, this.control, this.iopub]) socket.close();
    await rm(this.connectionFile, { force: true });
  }
}

/** Starts a kernel from its kernelspec and waits until it is ready. */
export async function startKernel(options: KernelLaunchOptions = {}): Promise<KernelClient> {
  const kernel = options.kernelSpec ?? findKernelSpec(options.kernelName ?? "lepton", kernelSearchDirs());
  const info = await newConnectionInfo(kernel.name);
  const connectionFile = join(tmpdir(), `lepton-kernel-${randomUUID()}.json`);
  await writeConnectionFile(connectionFile, info);
  const [command, ...args] = kernelArgv(kernel, connectionFile);
  const child = spawn(command!, args, {
    cwd: options.cwd,
    // JPY_PARENT_PID, as jupyter_client sets it: the kernel ends itself if this process dies.
    env: { ...process.env, ...kernel.spec.env, ...options.env, JPY_PARENT_PID: String(process.pid) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const spawnError = new Promise<never>((_, reject) =>
    child.once("error", (error) =>
      reject(new KernelDiedError(`cannot start kernel "${kernel.name}" (${command}): ${error.message}`)),
    ),
  );
  const client = new KernelClient(kernel, info, connectionFile, child);
  try {
    await Promise.race([client.waitReady(options.startupTimeoutMs ?? 60_000), spawnError]);
  } catch (error) {
    await client.shutdown().catch(() => undefined);
    child.kill("SIGKILL");
    throw error;
  }
  return client;
}
