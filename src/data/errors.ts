/**
 * Typed errors of src/data.
 */

import { LeptonError, NamedError } from "../errors";

/** A dataset file is missing, truncated or not in the format its loader expects; the message names the file. */
export class DatasetError extends NamedError {}

/** A cleaning step was asked for something the table cannot give (unknown column, bad rule, bad option). */
export class CleaningError extends LeptonError {}

/** An image file cannot be decoded or has an unusable shape; the message names the file. */
export class ImageFileError extends NamedError {}
