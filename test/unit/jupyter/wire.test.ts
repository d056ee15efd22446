import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage, MessageSigner, ProtocolError, Session } from "../../../src/jupyter";

const toBuffers = (frames: (string | Buffer)[]) => frames.map((f) => (Buffer.isBuffer(f) ? f : Buffer.from(f)));

describe("Jupyter wire protocol", () => {
  const signer = new MessageSigner("secret-key");
  const session = new Session();

  it("round-trips a signed message with identities and buffers", () => {
    const header = session.header("execute_request");
    const frames = encodeMessage(signer, {
      identities: [Buffer.from("peer")],
      header,
      parent_header: {},
      metadata: { a: 1 },
      content: { code: "1 + 1" },
    });
    const decoded = decodeMessage(signer, [...toBuffers(frames), Buffer.from([1, 2, 3])]);
    expect(decoded.identities.map(String)).toEqual(["peer"]);
    expect(decoded.header).toEqual(header);
    expect(decoded.content).toEqual({ code: "1 + 1" });
    expect(decoded.metadata).toEqual({ a: 1 });
    expect([...decoded.buffers[0]!]).toEqual([1, 2, 3]);
  });

  it("signs with HMAC-SHA256 over header, parent, metadata and content", () => {
    const frames = encodeMessage(signer, { header: session.header("x"), parent_header: {}, metadata: {}, content: {} });
    expect(frames[1]).toMatch(/^[0-9a-f]{64}$/);
  });

  it("rejects a message signed with another key", () => {
    const other = new MessageSigner("other-key");
    const frames = encodeMessage(other, { header: session.header("x"), parent_header: {}, metadata: {}, content: {} });
    expect(() => decodeMessage(signer, toBuffers(frames))).toThrow(ProtocolError);
  });

  it("rejects a tampered content frame", () => {
    const frames = toBuffers(
      encodeMessage(signer, { header: session.header("x"), parent_header: {}, metadata: {}, content: { v: 1 } }),
    );
    frames[frames.length - 1] = Buffer.from(JSON.stringify({ v: 2 }));
    expect(() => decodeMessage(signer, frames)).toThrow(/signature/);
  });

  it("rejects frames without the delimiter", () => {
    expect(() => decodeMessage(signer, [Buffer.from("{}")])).toThrow(/malformed/);
  });

  it("gives every header a fresh msg_id in one session", () => {
    const a = session.header("x");
    const b = session.header("x");
    expect(a.msg_id).not.toBe(b.msg_id);
    expect(a.session).toBe(b.session);
    expect(a.version).toBe("5.3");
  });
});
