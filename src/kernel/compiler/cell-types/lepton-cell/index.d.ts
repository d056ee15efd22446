// Globals the Lepton kernel gives every cell. Cells compile without the DOM lib (they run in
// Node), so the kernel declares here what it installs itself.

/**
 * Asks the front end for a line of text through Jupyter's input_request and waits for it, as the
 * browser's and Deno's `prompt`; an empty answer gives `defaultValue` when one is given.
 */
declare function prompt(message?: string, defaultValue?: string): string | null;
