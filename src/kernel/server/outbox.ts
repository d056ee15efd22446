/**
 * One send at a time per socket (Jupyter messaging over zeromq).
 * zeromq.js allows a single send in flight on a socket — a second one, started before the first
 * has been handed to libzmq, throws "Socket is busy writing" (EBUSY). The kernel sends from
 * several places at once (iopub outputs while a reply goes out, status messages at start-up), so
 * every send goes through the socket's outbox, which chains them in the order they were asked for.
 */

/** The part of a zeromq socket an outbox uses. */
export interface FrameSender {
  send(frames: (string | Buffer)[]): Promise<void>;
}

/** Serialises the sends on one socket, keeping their order; a failed send does not block later ones. */
export class Outbox {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly socket: FrameSender) {}

  /** Sends after every earlier send on this socket has finished; resolves when this one has. */
  send(frames: (string | Buffer)[]): Promise<void> {
    const sent = this.tail.then(() => this.socket.send(frames));
    this.tail = sent.catch(() => undefined);
    return sent;
  }
}
