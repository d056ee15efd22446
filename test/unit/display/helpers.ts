import { expect } from "vitest";
import type { DisplayOptions, DisplaySink, MimeBundle } from "../../../src/display/sink";

/** One call the recording sink received. */
export interface Recorded {
  readonly kind: "display" | "update" | "clear";
  readonly bundle?: MimeBundle;
  readonly options?: DisplayOptions;
  readonly wait?: boolean;
}

/** A DisplaySink that records every call, as the kernel's would publish them. */
export function recordingSink(): { sink: DisplaySink; calls: Recorded[] } {
  const calls: Recorded[] = [];
  return {
    calls,
    sink: {
      display: (bundle, options) => void calls.push({ kind: "display", bundle, options }),
      update: (bundle, options) => void calls.push({ kind: "update", bundle, options }),
      clear: (wait) => void calls.push({ kind: "clear", wait }),
    },
  };
}

/**
 * Asserts the bundle rules: text/plain present; JSON types hold objects; images base64 without data:; the rest strings.
 */
export function expectWellFormed(bundle: MimeBundle | undefined): asserts bundle is MimeBundle {
  expect(bundle).toBeDefined();
  expect(typeof bundle!["text/plain"]).toBe("string");
  for (const [mime, data] of Object.entries(bundle!)) {
    if (mime === "application/json" || mime.endsWith("+json")) {
      expect(typeof data, mime).toBe("object");
      expect(data, mime).not.toBeNull();
    } else {
      expect(typeof data, mime).toBe("string");
    }
    if (mime.startsWith("image/") && mime !== "image/svg+xml") {
      expect(String(data)).not.toMatch(/^data:/);
      expect(String(data)).toMatch(/^[A-Za-z0-9+/]+=*$/);
    }
  }
}

/** The text of a bundle's MIME type. */
export function text(bundle: MimeBundle, mime: string): string {
  const data = bundle[mime];
  expect(typeof data, mime).toBe("string");
  return data as string;
}
