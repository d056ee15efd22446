/**
 * The Jupyter messaging protocol, version 5.3, on the wire: message shapes, headers, and the
 * multipart format `[identities…, "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers…]`.
 */
import { randomUUID } from "node:crypto";
import type { MessageSigner } from "./signing";
import { LeptonError } from "../errors";

/** The protocol version spoken here. */
export const PROTOCOL_VERSION = "5.3";

const DELIMITER = "<IDS|MSG>";

/** A message header (Jupyter protocol §"General message format"). */
export interface MessageHeader {
  readonly msg_id: string;
  readonly session: string;
  readonly username: string;
  readonly date: string;
  readonly msg_type: string;
  readonly version: string;
}

/** A decoded Jupyter message; `content` is left as a record for the caller to narrow. */
export interface JupyterMessage<C = Record<string, unknown>> {
  readonly identities: readonly Buffer[];
  readonly header: MessageHeader;
  readonly parent_header: Partial<MessageHeader>;
  readonly metadata: Record<string, unknown>;
  readonly content: C;
  readonly buffers: readonly Buffer[];
}

/** Raised when a message arrives with a bad signature or a malformed frame. */
export class ProtocolError extends LeptonError {}

/** A fresh header for a message of type `msgType` in session `session`. */
export function messageHeader(msgType: string, session: string, username = "lepton"): MessageHeader {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** Builds headers for one client session. */
export class Session {
  readonly id = randomUUID();

  constructor(readonly username = "lepton") {}

  /** A fresh header for a message of type `msgType`. */
  header(msgType: string): MessageHeader {
    return messageHeader(msgType, this.id, this.username);
  }
}

/** Serialises a message to its signed wire frames. */
export function encodeMessage(
  signer: MessageSigner,
  message: Pick<JupyterMessage, "header" | "parent_header" | "metadata" | "content"> & {
    identities?: readonly Buffer[];
    buffers?: readonly Buffer[];
  },
): (string | Buffer)[] {
  const json = [message.header, message.parent_header, message.metadata, message.content].map((part) =>
    JSON.stringify(part),
  );
  // Binary buffers follow the signed parts and are not signed (messaging spec, "The wire protocol").
  return [...(message.identities ?? []), DELIMITER, signer.sign(json), ...json, ...(message.buffers ?? [])];
}

/** Parses signed wire frames; throws ProtocolError on a missing delimiter, bad signature or bad JSON. */
export function decodeMessage(signer: MessageSigner, frames: readonly Buffer[]): JupyterMessage {
  const delimiterIndex = frames.findIndex((frame) => frame.toString("utf8") === DELIMITER);
  if (delimiterIndex < 0 || frames.length < delimiterIndex + 6) {
    throw new ProtocolError(`malformed message: ${frames.length} frames, delimiter at ${delimiterIndex}`);
  }
  const signature = frames[delimiterIndex + 1]!.toString("utf8");
  const jsonFrames = frames.slice(delimiterIndex + 2, delimiterIndex + 6);
  if (!signer.verify(signature, jsonFrames)) {
    throw new ProtocolError("message signature does not match the connection key");
  }
  const [header, parent, metadata, content] = jsonFrames.map((frame, i) => {
    try {
      return JSON.parse(frame.toString("utf8")) as unknown;
    } catch (error) {
      throw new ProtocolError(`frame ${i} of a message is not JSON: ${(error as Error).message}`);
    }
  });
  return {
    identities: frames.slice(0, delimiterIndex),
    header: header as MessageHeader,
    parent_header: (parent ?? {}) as Partial<MessageHeader>,
    metadata: (metadata ?? {}) as Record<string, unknown>,
    content: (content ?? {}) as Record<string, unknown>,
    buffers: frames.slice(delimiterIndex + 6),
  };
}
