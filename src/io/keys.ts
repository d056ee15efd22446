/**
 * Encryption keys for data at rest (Seed 000 §2.5 data encryption and access control): a 256-bit
 * key read from a key file or an environment variable — never from the data's own folder — and a
 * key file refused, as ssh refuses a private key, when its group or others may read it.
 */
import { createHash, randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, realpathSync, statSync, writeSync } from "node:fs";
import { dirname, relative, resolve, isAbsolute } from "node:path";
import { NamedError } from "../errors";

/** Bytes of an AES-256 key. */
export const KEY_BYTES = 32;
/** The environment variable holding a key (64 hex digits or base64 of 32 bytes). */
export const KEY_ENV = "LEPTON_DATA_KEY";
/** The environment variable naming a key file. */
export const KEY_FILE_ENV = "LEPTON_DATA_KEY_FILE";

/**
 * Raised for a key that cannot be used: missing, malformed, too open, or kept beside the data; the message names the
 * file or variable.
 */
export class KeyError extends NamedError {}

/** A key file whose permissions let its group or others read it. */
export class InsecureKeyFileError extends KeyError {
  constructor(
    readonly path: string,
    readonly mode: number,
  ) {
    super(
      path,
      `permissions ${octal(mode)} are too open: group or others may read this key. Run \`chmod 600 ${path}\` (ssh refuses such keys too)`,
    );
  }
}

/** A 256-bit data key with its source and a short fingerprint (never the key itself) for messages. */
export interface DataKey {
  readonly bytes: Buffer;
  /** Where it came from: a file path or `env:NAME`. */
  readonly source: string;
  /** First 8 bytes of SHA-256 of the key, hex: identifies a key without revealing it. */
  readonly fingerprint: string;
}

/** Permission bits of a file as `0644`. */
export function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, "0")}`;
}

/** The fingerprint of a key: SHA-256's first 8 bytes, hex. */
export function keyFingerprint(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest().subarray(0, 8).toString("hex");
}

function parseKeyText(source: string, text: string): Buffer {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, "hex")
    : /^[A-Za-z0-9+/]{43}=$/.test(trimmed)
      ? Buffer.from(trimmed, "base64")
      : undefined;
  if (bytes === undefined || bytes.length !== KEY_BYTES) {
    throw new KeyError(source, `is not a 256-bit key (expected 64 hex digits or base64 of ${KEY_BYTES} bytes)`);
  }
  return bytes;
}

function makeKey(bytes: Buffer, source: string): DataKey {
  return { bytes, source, fingerprint: keyFingerprint(bytes) };
}

/**
 * Who may read a file: its mode, whether group or others may read or write it, and whether this
 * process's user owns it.
 */
export interface FileAccess {
  readonly path: string;
  readonly mode: string;
  readonly ownedByMe: boolean;
  readonly groupOrOthersCanRead: boolean;
  readonly groupOrOthersCanWrite: boolean;
}

/** Reads a file's access bits (node's ENOENT error names a missing file). */
export function fileAccess(path: string): FileAccess {
  const stats = statSync(path);
  const uid = typeof process.getuid === "function" ? process.getuid() : stats.uid;
  return {
    path,
    mode: octal(stats.mode),
    ownedByMe: stats.uid === uid,
    groupOrOthersCanRead: (stats.mode & 0o044) !== 0,
    groupOrOthersCanWrite: (stats.mode & 0o022) !== 0,
  };
}

/**
 * Reads a key file, refusing one that group or others may read or write (InsecureKeyFileError),
 * one owned by another user, or one that is not a regular file.
 */
export function readKeyFile(path: string): DataKey {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) throw new KeyError(path, "key file not found");
  if (!stats.isFile()) throw new KeyError(path, "is not a regular file");
  if ((stats.mode & 0o077) !== 0) throw new InsecureKeyFileError(path, stats.mode);
  const access = fileAccess(path);
  if (!access.ownedByMe)
    throw new KeyError(path, "belongs to another user; a key file must be owned by the user who reads it");
  return makeKey(parseKeyText(path, readFileSync(path, "utf8")), path);
}

/** Options of {@link loadKey}. */
export interface LoadKeyOptions {
  /** A key file; wins over the environment. */
  readonly file?: string;
  /** Environment to read {@link KEY_ENV} / {@link KEY_FILE_ENV} from; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The data key: from `options.file`, else the file named by LEPTON_DATA_KEY_FILE, else the key in
 * LEPTON_DATA_KEY; KeyError saying how to provide one when there is none.
 */
export function loadKey(options: LoadKeyOptions = {}): DataKey {
  const env = options.env ?? process.env;
  const file = options.file ?? (env[KEY_FILE_ENV] || undefined);
  if (file !== undefined) return readKeyFile(file);
  const inline = env[KEY_ENV];
  if (inline !== undefined && inline !== "") return makeKey(parseKeyText(`env:${KEY_ENV}`, inline), `env:${KEY_ENV}`);
  throw new KeyError("key", `no data key: set ${KEY_FILE_ENV} to a key file (mode 600) or ${KEY_ENV} to 64 hex digits`);
}

/** Writes a fresh random key file with mode 0600, refusing to overwrite one. */
export function createKeyFile(path: string): DataKey {
  const bytes = randomBytes(KEY_BYTES);
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    throw new KeyError(
      path,
      `cannot create the key file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); an existing key is never overwritten`,
    );
  }
  try {
    writeSync(fd, `${bytes.toString("hex")}\n`);
  } finally {
    closeSync(fd);
  }
  return makeKey(bytes, path);
}

function realFolder(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Refuses a key kept in the data's folder or below it — whoever copies the folder would carry
 * the key with the data. Keys from the environment pass.
 */
export function assertKeyNotBeside(key: DataKey, dataPath: string): void {
  if (key.source.startsWith("env:")) return;
  const dataFolder = realFolder(dirname(resolve(dataPath)));
  const keyFolder = realFolder(dirname(resolve(key.source)));
  const rel = relative(dataFolder, keyFolder);
  if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))) {
    throw new KeyError(
      key.source,
      `is kept inside the data's folder ${dataFolder}; keep keys apart from the data they protect`,
    );
  }
}
