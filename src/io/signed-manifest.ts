/**
 * Signed manifests (Seed 000 §2.5 model authorisation): a list of files with their SHA-256 and
 * size, signed with Ed25519. Only the holder of the private key can publish a model or dataset
 * that verifies; anyone with the public key can check that no listed file was changed, added to
 * the list or swapped. This authenticates plain (unencrypted) files too, where AES-GCM's tag
 * covers only files it encrypted.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NamedError } from "../errors";

/** Name of the manifest and its detached signature inside the folder. */
export const MANIFEST_FILE = "manifest.json";
export const SIGNATURE_FILE = "manifest.json.sig";

/** One listed file. */
export interface ManifestEntry {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** Raised when a manifest's signature or a listed file does not verify; names the file. */
export class ManifestError extends NamedError {}

/** An Ed25519 key pair as PEM text (the private one to publish, the public one to check). */
export interface SigningKeys {
  readonly publicKeyPem: string;
  readonly privateKeyPem: string;
}

/** Fresh Ed25519 keys. */
export function generateSigningKeys(): SigningKeys {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return {
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

function entryFor(dir: string, file: string): ManifestEntry {
  if (file.includes("/") || file.includes("\\") || file === "." || file === "..")
    throw new ManifestError(join(dir, MANIFEST_FILE), `"${file}" must be a plain file name in the folder`);
  const data = readFileSync(join(dir, file));
  return { file, bytes: data.length, sha256: createHash("sha256").update(data).digest("hex") };
}

/** Lists `files` of `dir` with their hashes in manifest.json and signs it (manifest.json.sig). */
export function signManifest(dir: string, files: readonly string[], privateKeyPem: string): readonly ManifestEntry[] {
  const entries = files.map((file) => entryFor(dir, file));
  const text = Buffer.from(JSON.stringify({ files: entries }, null, 1), "utf8");
  const key: KeyObject = createPrivateKey(privateKeyPem);
  writeFileSync(join(dir, MANIFEST_FILE), text, { mode: 0o644 });
  writeFileSync(join(dir, SIGNATURE_FILE), `${sign(null, text, key).toString("base64")}\n`, { mode: 0o644 });
  return entries;
}

/**
 * Checks the signature of `dir`'s manifest with the public key, then every listed file's size and
 * SHA-256; ManifestError naming the manifest or the first file that fails.
 */
export function verifyManifest(dir: string, publicKeyPem: string): readonly ManifestEntry[] {
  const manifestPath = join(dir, MANIFEST_FILE);
  const signaturePath = join(dir, SIGNATURE_FILE);
  let text: Buffer;
  let signature: Buffer;
  try {
    text = readFileSync(manifestPath);
    signature = Buffer.from(readFileSync(signaturePath, "utf8").trim(), "base64");
  } catch (error) {
    throw new ManifestError(
      manifestPath,
      `manifest or its signature is missing (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  if (!verify(null, text, createPublicKey(publicKeyPem), signature)) {
    throw new ManifestError(
      manifestPath,
      "Ed25519 signature does not verify with the public key given: the manifest was changed or signed by someone else",
    );
  }
  const entries = (JSON.parse(text.toString("utf8")) as { files: ManifestEntry[] }).files;
  for (const expected of entries) {
    const path = join(dir, expected.file);
    let actual: ManifestEntry;
    try {
      actual = entryFor(dir, expected.file);
    } catch {
      throw new ManifestError(path, "is listed in the signed manifest but missing");
    }
    if (actual.bytes !== expected.bytes || actual.sha256 !== expected.sha256) {
      throw new ManifestError(
        path,
        `does not match the signed manifest (sha256 ${actual.sha256.slice(0, 16)}…, ${actual.bytes} bytes; signed ${expected.sha256.slice(0, 16)}…, ${expected.bytes} bytes): it was changed after signing`,
      );
    }
  }
  return entries;
}
