/**
 * HMAC-SHA256 signing of Jupyter messages with the connection file's key: the signature covers
 * the four JSON frames (header, parent header, metadata, content), not the binary buffers.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** Signs and checks messages with the connection file's key (HMAC-SHA256). */
export class MessageSigner {
  private readonly key: Buffer;

  constructor(key: string) {
    this.key = Buffer.from(key, "utf8");
  }

  /** The hex HMAC of the four JSON frames; the empty string when the key is empty (signing off). */
  sign(frames: readonly (string | Buffer)[]): string {
    if (this.key.length === 0) return "";
    const hmac = createHmac("sha256", this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest("hex");
  }

  /** Whether `signature` is the HMAC of `frames`, compared in constant time. */
  verify(signature: string, frames: readonly Buffer[]): boolean {
    const expected = Buffer.from(this.sign(frames), "utf8");
    const actual = Buffer.from(signature, "utf8");
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}
