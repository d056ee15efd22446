/**
 * The receive loop of a Jupyter socket: every multipart message is decoded and its signature
 * checked before anyone sees it.
 */
import type { MessageSigner } from "./signing";
import { decodeMessage, type JupyterMessage } from "./wire";

/** A socket as the loop reads it: zeromq.js sockets iterate over their multipart messages. */
export interface FrameSource extends AsyncIterable<Buffer[]> {
  readonly closed: boolean;
}

/**
 * Reads `socket` until it closes, handing each decoded message to `handle` and awaiting it, so
 * messages are handled in arrival order. A message that does not decode (bad signature, malformed
 * frames) goes to `onDropped` and the loop goes on.
 */
export async function receiveMessages(
  socket: FrameSource,
  signer: MessageSigner,
  handle: (message: JupyterMessage) => void | Promise<void>,
  onDropped: (error: Error) => void,
): Promise<void> {
  for await (const frames of socket) {
    if (socket.closed) break;
    let message: JupyterMessage;
    try {
      message = decodeMessage(signer, frames);
    } catch (error) {
      onDropped(error as Error);
      continue;
    }
    await handle(message);
  }
}
