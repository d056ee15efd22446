/**
 * The worker-thread side of the stdin channel. It owns the kernel's stdin ROUTER socket so that an
 * `input_request` can make its round trip while the cell's thread is blocked in a synchronous
 * `prompt()`: the main thread posts the request and waits on a shared buffer (Atomics.wait); this
 * thread sends it, reads the front end's `input_reply`, writes the answer into the buffer and
 * wakes the main thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import * as zmq from "zeromq";
import {
  encodeMessage,
  MessageSigner,
  messageHeader,
  receiveMessages,
  type JupyterMessage,
  type MessageHeader,
} from "../../jupyter";

/** What the main thread passes to the worker. */
export interface StdinWorkerData {
  readonly key: string;
  readonly url: string;
}

/** One input request: the cell's execute_request (identities and header) and the prompt. */
export interface StdinRequest {
  readonly kind: "request";
  readonly identities: readonly Uint8Array[];
  readonly parent: MessageHeader;
  readonly prompt: string;
  readonly password: boolean;
  /** Int32 state word at 0 (0 pending, 1 answered), byte length at 4, UTF-8 JSON answer from 8. */
  readonly answer: SharedArrayBuffer;
}

/** What the worker posts: that its socket is bound, or that it could not bind it. */
export type StdinWorkerMessage = { readonly kind: "bound" } | { readonly kind: "failed"; readonly message: string };

/** The answer written into a request's shared buffer. */
export type StdinAnswer = { readonly value: string } | { readonly error: string };

/** Writes `answer` into the shared buffer and wakes the thread waiting on it. */
function deliver(buffer: SharedArrayBuffer, answer: StdinAnswer): void {
  const state = new Int32Array(buffer, 0, 2);
  if (Atomics.load(state, 0) !== 0) return;
  let bytes = Buffer.from(JSON.stringify(answer), "utf8");
  const room = buffer.byteLength - 8;
  if (bytes.length > room)
    bytes = Buffer.from(JSON.stringify({ error: `the reply is longer than ${room} bytes` }), "utf8");
  new Uint8Array(buffer, 8, bytes.length).set(bytes);
  state[1] = bytes.length;
  Atomics.store(state, 0, 1);
  Atomics.notify(state, 0);
}

async function serve(data: StdinWorkerData): Promise<void> {
  const signer = new MessageSigner(data.key);
  // Mandatory routing: a reply to a front end without a stdin socket fails instead of vanishing.
  const socket = new zmq.Router({ mandatory: true });
  await socket.bind(data.url);
  parentPort!.postMessage({ kind: "bound" } satisfies StdinWorkerMessage);
  let pending: { readonly msgId: string; readonly answer: SharedArrayBuffer } | undefined;

  parentPort!.on("message", (request: StdinRequest | { readonly kind: "close" }) => {
    if (request.kind === "close") {
      // Closed here, in its own thread: terminating a worker with an open socket aborts the process.
      if (pending !== undefined) deliver(pending.answer, { error: "the kernel is shutting down" });
      socket.close();
      parentPort!.close();
      return;
    }
    // One prompt at a time, as in ipykernel: a new request ends an older one still waiting.
    if (pending !== undefined) deliver(pending.answer, { error: "a newer input request replaced this one" });
    const header = messageHeader("input_request", request.parent.session);
    const current = { msgId: header.msg_id, answer: request.answer };
    pending = current;
    const frames = encodeMessage(signer, {
      identities: request.identities.map((identity) => Buffer.from(identity)),
      header,
      parent_header: request.parent,
      metadata: {},
      content: { prompt: request.prompt, password: request.password },
    });
    socket.send(frames).catch((error: Error) => {
      if (pending === current) pending = undefined;
      deliver(current.answer, {
        error: `the front end that ran this cell has no stdin channel connected (${error.message})`,
      });
    });
  });

  const answer = (reply: JupyterMessage): void => {
    if (reply.header.msg_type !== "input_reply" || pending === undefined) return;
    // jupyter_client's `input()` sends no parent header; a reply naming another request is stale.
    const answers = reply.parent_header.msg_id;
    if (answers !== undefined && answers !== pending.msgId) return;
    deliver(pending.answer, { value: String(reply.content.value ?? "") });
    pending = undefined;
  };
  await receiveMessages(socket, signer, answer, () => undefined);
}

serve(workerData as StdinWorkerData).catch((error: Error) =>
  parentPort!.postMessage({ kind: "failed", message: error.message } satisfies StdinWorkerMessage),
);
