/**
 * Text that native GPU code (Dawn, the Vulkan loader, a Vulkan driver) writes straight to file
 * descriptor 2, found in an executed notebook's outputs. Such text must never reach a notebook: a
 * reader takes it for a failure of their cell. The backend line's own "Dawn (Vulkan)" is not such text.
 */
import type { CellOutput, Notebook } from "./notebook";

/** What native GPU code prints, by its usual forms. */
export const DRIVER_TEXT_PATTERNS: readonly RegExp[] = [
  /^\s*(?:Warning|Error): /m, // Dawn's log lines
  /XDG_RUNTIME_DIR/,
  /\[Loader Message\]|\bvk[A-Z][A-Za-z]+\b/, // the Vulkan loader, Vulkan entry points
  /\bVulkan\b(?!\))/, // "Vulkan …" anywhere but the backend line's "(Vulkan)"
  /synchronously reading data from GPU/, // tfjs webgpu's warning before a synchronous read
];

/** One place where driver text was found. */
export interface DriverTextFinding {
  /** 0-based cell index in the notebook. */
  readonly cell: number;
  readonly cellId: string | undefined;
  /** The line that matched, trimmed. */
  readonly line: string;
}

function textsOf(output: CellOutput): string[] {
  switch (output.output_type) {
    case "stream":
      return [output.text];
    case "error":
      return [output.evalue, ...output.traceback];
    default:
      // Text and JSON only: base64 images can spell anything.
      return Object.entries(output.data)
        .filter(([mime]) => mime.startsWith("text/") || mime.endsWith("json"))
        .map(([, value]) =>
          typeof value === "string" ? value : Array.isArray(value) ? value.join("") : JSON.stringify(value),
        );
  }
}

// Embedded images (an HTML figure's static PNG) are base64 and can spell anything.
const DATA_URI = /data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+/g;

/** Every output line of `notebook` that matches {@link DRIVER_TEXT_PATTERNS}. */
export function findDriverText(notebook: Notebook): DriverTextFinding[] {
  const findings: DriverTextFinding[] = [];
  notebook.cells.forEach((cell, index) => {
    for (const output of cell.outputs ?? []) {
      for (const text of textsOf(output)) {
        for (const line of text.replace(DATA_URI, "").split("\n")) {
          if (DRIVER_TEXT_PATTERNS.some((pattern) => pattern.test(line)))
            findings.push({ cell: index, cellId: cell.id, line: line.trim() });
        }
      }
    }
  });
  return findings;
}
