/**
 * The rich representation of any value (kernel issue "Rich values"; DESIGN.md "src/display"):
 * what the kernel sends as a cell's `execute_result` and what `show()` displays.
 */
import * as tf from "@tensorflow/tfjs";
import { isDisplayable } from "./displayable";
import { JUPYTER_DISPLAY, type MimeBundle } from "./sink";
import { danfoBundle, isDanfoFrame, isRecordArray, recordsBundle } from "./table";
import { tensorBundle } from "./tensor";

/** Raised when a value's own display method returns something that is not a MIME bundle. */
export class DisplayBundleError extends Error {
  override name = "DisplayBundleError";
}

function checkBundle(bundle: unknown): MimeBundle {
  if (typeof bundle !== "object" || bundle === null || Array.isArray(bundle)) {
    throw new DisplayBundleError(`[Symbol.for("Jupyter.display")]() must return a MIME bundle object, got ${typeof bundle}`);
  }
  const checked = { ...(bundle as MimeBundle) };
  for (const [mime, data] of Object.entries(checked)) {
    if (mime.endsWith("json") && typeof data === "string") checked[mime] = JSON.parse(data) as unknown;
  }
  if (typeof checked["text/plain"] !== "string") checked["text/plain"] = `[${Object.keys(checked).join(", ")}]`;
  return checked;
}

/**
 * The rich bundle for `value`: its own `[Symbol.for("Jupyter.display")]()`, a tensor summary, a
 * danfojs table, or a table of records; `undefined` when plain text is all it has.
 */
export async function toMimeBundle(value: unknown): Promise<MimeBundle | undefined> {
  if (isDisplayable(value)) return checkBundle(await value[JUPYTER_DISPLAY]());
  if (value instanceof tf.Tensor) return tensorBundle(value);
  if (isDanfoFrame(value)) return danfoBundle(value);
  if (isRecordArray(value)) return recordsBundle(value);
  return undefined;
}
