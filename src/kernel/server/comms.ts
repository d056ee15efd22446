/**
 * Comms (Jupyter messaging, "Custom messages"): targets that cells register, comms opened from
 * either side, messages with binary buffers, and the spec's answer to an unknown target — a
 * `comm_close` — so a front end never waits on a comm that nobody holds.
 */
import { LeptonError } from "../../errors";

/** One message of a comm as a handler sees it. */
export interface CommMessage {
  readonly data: Record<string, unknown>;
  readonly buffers: readonly Buffer[];
}

/** The kernel end of an open comm. */
export interface Comm {
  readonly id: string;
  readonly targetName: string;
  /** Sends `comm_msg` to the front end. */
  send(data: Record<string, unknown>, buffers?: readonly Buffer[]): void;
  /** Sends `comm_close` and forgets the comm. */
  close(data?: Record<string, unknown>): void;
  /** Called for each `comm_msg` from the front end. */
  onMessage?: (message: CommMessage) => void;
  /** Called when the front end closes the comm. */
  onClose?: (message: CommMessage) => void;
}

/**
 * Publishes a comm message on iopub: the kernel server provides it. `metadata` is the message's
 * own metadata (where the widget protocol puts its version), not a content field.
 */
export type CommPublisher = (
  msgType: "comm_open" | "comm_msg" | "comm_close",
  content: Record<string, unknown>,
  buffers: readonly Buffer[],
  metadata?: Record<string, unknown>,
) => void;

/** Raised for a comm call that cannot work (an unknown comm id, a closed comm). */
export class CommError extends LeptonError {}

const MANAGER_KEY = Symbol.for("lepton.kernel.comms");

/** The running kernel's comms, for cells: `kernelComms().registerTarget(…)`; throws outside a kernel. */
export function kernelComms(): CommManager {
  const manager = (globalThis as { [MANAGER_KEY]?: CommManager })[MANAGER_KEY];
  if (manager === undefined) throw new CommError("comms need a running Lepton kernel");
  return manager;
}

/** The kernel's comms: targets by name and open comms by id. */
export class CommManager {
  private readonly targets = new Map<string, (comm: Comm, open: CommMessage) => void>();
  private readonly comms = new Map<string, Comm>();

  constructor(private readonly publish: CommPublisher) {}

  /** Makes this manager the one cells reach through {@link kernelComms}. */
  install(): this {
    (globalThis as { [MANAGER_KEY]?: CommManager })[MANAGER_KEY] = this;
    return this;
  }

  /** Registers what happens when the front end opens a comm to `targetName`. */
  registerTarget(targetName: string, onOpen: (comm: Comm, open: CommMessage) => void): void {
    this.targets.set(targetName, onOpen);
  }

  /** Opens a comm from the kernel side. */
  open(
    targetName: string,
    data: Record<string, unknown> = {},
    buffers: readonly Buffer[] = [],
    metadata: Record<string, unknown> = {},
  ): Comm {
    const comm = this.create(crypto.randomUUID(), targetName);
    this.publish("comm_open", { comm_id: comm.id, target_name: targetName, data }, buffers, metadata);
    return comm;
  }

  /** Open comms, optionally of one target: the `comm_info_reply` content's `comms`. */
  info(targetName?: string): Record<string, { target_name: string }> {
    const out: Record<string, { target_name: string }> = {};
    for (const comm of this.comms.values())
      if (targetName === undefined || comm.targetName === targetName) out[comm.id] = { target_name: comm.targetName };
    return out;
  }

  /** Handles a front end's comm_open / comm_msg / comm_close. */
  receive(msgType: string, content: Record<string, unknown>, buffers: readonly Buffer[]): void {
    const id = String(content.comm_id ?? "");
    const message = { data: (content.data ?? {}) as Record<string, unknown>, buffers };
    if (msgType === "comm_open") {
      const target = this.targets.get(String(content.target_name ?? ""));
      if (target === undefined) {
        this.publish("comm_close", { comm_id: id, data: {} }, []);
        return;
      }
      target(this.create(id, String(content.target_name)), message);
    } else if (msgType === "comm_msg") {
      this.comms.get(id)?.onMessage?.(message);
    } else if (msgType === "comm_close") {
      const comm = this.comms.get(id);
      this.comms.delete(id);
      comm?.onClose?.(message);
    }
  }

  private create(id: string, targetName: string): Comm {
    const manager = this;
    const comm: Comm = {
      id,
      targetName,
      send(data, buffers = []) {
        if (!manager.comms.has(id)) throw new CommError(`comm ${id} (${targetName}) is closed`);
        manager.publish("comm_msg", { comm_id: id, data }, buffers);
      },
      close(data = {}) {
        if (!manager.comms.delete(id)) return;
        manager.publish("comm_close", { comm_id: id, data }, []);
      },
    };
    this.comms.set(id, comm);
    return comm;
  }
}
