/**
 * The rich representation of any value:
 * what the kernel sends as a cell's `execute_result` and what `show()` displays. Every bundle
 * leaving here is well-formed: it has `text/plain`; JSON MIME types hold objects; images hold
 * base64 without a `data:` prefix; every other type holds a string.
 */
import { danfoBundle, isDanfoFrame } from "./dataframe";
import { isDisplayable } from "./displayable";
import { imageBundle, isSharpImage } from "./image";
import { JUPYTER_DISPLAY, type MimeBundle } from "./sink";
import { isRecordArray, recordsBundle } from "./table";
import { isTensor, tensorBundle } from "./tensor";
import { LeptonError } from "../errors";

/**
 * Raised when a value's own display method returns something that is not a well-formed MIME bundle; names the MIME
 * type.
 */
export class DisplayBundleError extends LeptonError {}

const SOURCE = 'the value\'s [Symbol.for("Jupyter.display")]()';
const BINARY_IMAGE = /^image\/(png|jpeg|gif|webp)$/;

function isJsonMime(mime: string): boolean {
  return mime === "application/json" || mime.endsWith("+json");
}

function normalizeData(mime: string, data: unknown): unknown {
  if (isJsonMime(mime)) {
    if (typeof data !== "string") {
      if (typeof data !== "object" || data === null)
        throw new DisplayBundleError(
          `${SOURCE} gave ${mime} as ${data === null ? "null" : typeof data}; a JSON MIME type holds an object`,
        );
      return data;
    }
    try {
      return JSON.parse(data) as unknown;
    } catch (error) {
      throw new DisplayBundleError(`${SOURCE} gave ${mime} as a string that is not JSON: ${(error as Error).message}`);
    }
  }
  if (BINARY_IMAGE.test(mime)) {
    if (data instanceof Uint8Array)
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
    if (typeof data === "string") return data.replace(/^data:[^,]*;base64,/, "");
    throw new DisplayBundleError(`${SOURCE} gave ${mime} as ${typeof data}; an image is base64 text or bytes`);
  }
  if (typeof data !== "string")
    throw new DisplayBundleError(`${SOURCE} gave ${mime} as ${typeof data}; ${mime} holds a string`);
  return data;
}

/**
 * Checks and normalises a bundle: JSON given as text is parsed, image
 * bytes become base64, a missing `text/plain` becomes the list of MIME types.
 */
export function normalizeBundle(bundle: unknown): MimeBundle {
  if (typeof bundle !== "object" || bundle === null || Array.isArray(bundle)) {
    throw new DisplayBundleError(
      `${SOURCE} must return a MIME bundle object; got ${bundle === null ? "null" : Array.isArray(bundle) ? "an array" : typeof bundle}`,
    );
  }
  const normalized: MimeBundle = {};
  for (const [mime, data] of Object.entries(bundle)) {
    if (data !== undefined) normalized[mime] = normalizeData(mime, data);
  }
  normalized["text/plain"] ??= `[${Object.keys(normalized).join(", ") || "empty display"}]`;
  return normalized;
}

/**
 * The rich bundle for `value`, or `undefined` when plain text is all it has. In order: values displaying themselves
 * through `[Symbol.for("Jupyter.display")]()` (sync or async; src/display's plotly figures, markdown,
 * html, images and tables are such values), tfjs tensors (summary), danfojs DataFrames and
 * Series, arrays of plain records (tables), sharp images (PNG).
 */
export async function toMimeBundle(value: unknown): Promise<MimeBundle | undefined> {
  if (isDisplayable(value)) return normalizeBundle(await value[JUPYTER_DISPLAY]());
  if (isTensor(value)) return tensorBundle(value);
  if (isDanfoFrame(value)) return danfoBundle(value);
  if (isRecordArray(value)) return recordsBundle(value);
  if (isSharpImage(value)) return imageBundle(value);
  return undefined;
}
