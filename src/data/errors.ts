/**
 * Typed errors of src/data.
 */

/** A problem with one file; the message starts with the file's path. */
class FileProblem extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** A dataset file is missing, truncated or not in the format its loader expects; the message names the file. */
export class DatasetError extends FileProblem {
  override name = "DatasetError";
}

/** A cleaning step was asked for something the table cannot give (unknown column, bad rule, bad option). */
export class CleaningError extends Error {
  override name = "CleaningError";
}

/** An image file cannot be decoded or has an unusable shape; the message names the file. */
export class ImageFileError extends FileProblem {
  override name = "ImageFileError";
}
