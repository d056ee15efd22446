/**
 * Files encrypted at rest with AES-256-GCM (Seed 000 §2.5 data encryption; model encryption):
 * authenticated encryption, so a changed byte anywhere — header, ciphertext or tag — fails the
 * load with an error naming the file, and a wrong key is told apart from tampering by the key's
 * fingerprint stored in the header.
 *
 * Layout: "LPTNAES1" · key fingerprint (8 bytes) · IV (12 bytes, random per write) · ciphertext ·
 * GCM tag (16 bytes). The header and the file's base name are authenticated as associated data:
 * an encrypted file renamed to stand in for another fails too.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { writeDurably } from "./durable-write";
import { assertKeyNotBeside, type DataKey } from "./keys";
import { NamedError } from "../errors";

const MAGIC = Buffer.from("LPTNAES1", "ascii");
const FINGERPRINT_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + FINGERPRINT_BYTES + IV_BYTES;

/** Raised for an encrypted file that cannot be opened; the message names the file. */
export class EncryptedFileError extends NamedError {}

/** The file was encrypted with another key (its fingerprint differs). */
export class WrongKeyError extends EncryptedFileError {}

/** The file's authentication tag does not match: it was changed after it was written. */
export class TamperedFileError extends EncryptedFileError {}

/** Bytes an encrypted file adds to its plaintext (header and tag). */
export const ENCRYPTION_OVERHEAD_BYTES = HEADER_BYTES + TAG_BYTES;

function associatedData(header: Buffer, label: string): Buffer {
  return Buffer.concat([header, Buffer.from(label, "utf8")]);
}

/** Encrypts `plaintext` for a file called `label` (its base name). */
export function encryptBytes(plaintext: Uint8Array, key: DataKey, label: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const header = Buffer.concat([MAGIC, Buffer.from(key.fingerprint, "hex"), iv]);
  const cipher = createCipheriv("aes-256-gcm", key.bytes, iv);
  cipher.setAAD(associatedData(header, label));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

/**
 * Decrypts what {@link encryptBytes} made; `path` names the file in errors and its base name is
 * the label checked. WrongKeyError, TamperedFileError or EncryptedFileError otherwise.
 */
export function decryptBytes(sealed: Uint8Array, key: DataKey, path: string): Buffer {
  const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (data.length < ENCRYPTION_OVERHEAD_BYTES || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new EncryptedFileError(
      path,
      `is not a file encrypted by this workbook (no ${MAGIC.toString("ascii")} header, or shorter than ${ENCRYPTION_OVERHEAD_BYTES} bytes)`,
    );
  }
  const header = data.subarray(0, HEADER_BYTES);
  const fingerprint = header.subarray(MAGIC.length, MAGIC.length + FINGERPRINT_BYTES).toString("hex");
  if (fingerprint !== key.fingerprint) {
    throw new WrongKeyError(
      path,
      `was encrypted with key ${fingerprint}, not with the key given (${key.fingerprint}, from ${key.source})`,
    );
  }
  const iv = header.subarray(MAGIC.length + FINGERPRINT_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key.bytes, iv);
  decipher.setAAD(associatedData(header, basename(path)));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(data.subarray(HEADER_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new TamperedFileError(
      path,
      "failed authentication (AES-GCM tag mismatch): the file was changed or renamed after it was encrypted; refusing to use it",
    );
  }
}

/** Writes bytes durably, readable by the owner only (mode 0600). */
function writePrivately(path: string, data: Uint8Array): void {
  writeDurably(path, data, 0o600);
}

/**
 * Encrypts `plaintext` into the file `path` (mode 0600), refusing a key kept in the data's folder.
 * Returns the bytes written.
 */
export function writeEncryptedFile(path: string, plaintext: Uint8Array, key: DataKey): number {
  assertKeyNotBeside(key, path);
  const sealed = encryptBytes(plaintext, key, basename(path));
  writePrivately(path, sealed);
  return sealed.length;
}

/** Reads and decrypts a file written by {@link writeEncryptedFile}. */
export function readEncryptedFile(path: string, key: DataKey): Buffer {
  let sealed: Buffer;
  try {
    sealed = readFileSync(path);
  } catch (error) {
    throw new EncryptedFileError(
      path,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return decryptBytes(sealed, key, path);
}

/** Encrypts a plain file into `dest`. */
export function encryptFile(source: string, dest: string, key: DataKey): number {
  return writeEncryptedFile(dest, readFileSync(source), key);
}
