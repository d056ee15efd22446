/**
 * The project's errors. Each is named after its class, so the name printed before the message says what failed
 * (`DatasetError: data/x.csv: …`) without every class repeating its own name.
 */
export class LeptonError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * An error about one named thing (a file, an environment variable, an argument) whose message starts with that
 * name, so the reader sees at once where to look. The rooms' errors that name a file or an argument extend it.
 */
export class NamedError extends LeptonError {
  constructor(
    /** The file, variable or argument at fault. */
    readonly subject: string,
    detail: string,
  ) {
    super(`${subject}: ${detail}`);
  }
}
