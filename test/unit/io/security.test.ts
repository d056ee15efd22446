import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import {
  createKeyFile,
  EncryptedFileError,
  ENCRYPTED_MODEL_FILES,
  generateSigningKeys,
  InsecureKeyFileError,
  KeyError,
  loadEncryptedModel,
  loadKey,
  ManifestError,
  readEncryptedFile,
  readKeyFile,
  saveEncryptedModel,
  signManifest,
  TamperedFileError,
  verifyManifest,
  writeEncryptedFile,
  WrongKeyError,
} from "../../../src/io";
import { multiClassCnn } from "../../../src/models";
import { failOnTensorLeaks } from "../tensor-leaks";

failOnTensorLeaks();
const scratch = mkdtempSync(join(tmpdir(), "lepton-security-"));
const keys = join(scratch, "keys");
const data = join(scratch, "data");
mkdirSync(keys, { mode: 0o700 });
mkdirSync(data);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const key = createKeyFile(join(keys, "a.key"));
const otherKey = createKeyFile(join(keys, "b.key"));

function flipByte(path: string, at: number): void {
  const bytes = readFileSync(path);
  bytes[at < 0 ? bytes.length + at : at]! ^= 0x01;
  writeFileSync(path, bytes);
}

describe("keys (Seed 000 §2.5 access control)", () => {
  it("creates key files readable by the owner only and reads them back", () => {
    expect(readFileSync(key.source, "utf8").trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(readKeyFile(key.source).fingerprint).toBe(key.fingerprint);
  });

  it("refuses a world- or group-readable key file, naming it and the fix", () => {
    const open = join(keys, "open.key");
    writeFileSync(open, readFileSync(key.source));
    for (const mode of [0o644, 0o640, 0o604]) {
      chmodSync(open, mode);
      expect(() => readKeyFile(open)).toThrow(InsecureKeyFileError);
      expect(() => readKeyFile(open)).toThrow(`${open}: permissions 0${mode.toString(8)} are too open`);
    }
    chmodSync(open, 0o600);
    expect(readKeyFile(open).fingerprint).toBe(key.fingerprint);
  });

  it("reads a key from the environment and says how to give one when there is none", () => {
    const hex = readFileSync(key.source, "utf8").trim();
    expect(loadKey({ env: { LEPTON_DATA_KEY: hex } }).fingerprint).toBe(key.fingerprint);
    expect(loadKey({ env: { LEPTON_DATA_KEY_FILE: key.source } }).fingerprint).toBe(key.fingerprint);
    expect(() => loadKey({ env: {} })).toThrow(/LEPTON_DATA_KEY_FILE/);
    expect(() => loadKey({ env: { LEPTON_DATA_KEY: "abc" } })).toThrow(KeyError);
  });

  it("refuses to encrypt with a key kept in the data's folder", () => {
    const beside = createKeyFile(join(data, "beside.key"));
    expect(() => writeEncryptedFile(join(data, "x.enc"), Buffer.from("x"), beside)).toThrow(/inside the data's folder/);
  });
});

describe("files encrypted at rest (Seed 000 §2.5 data encryption)", () => {
  const plain = Buffer.from("label,pixels\n3,0 0 255\n", "utf8");

  it("round-trips, writes mode 0600, and holds no plaintext", () => {
    const path = join(data, "table.csv.enc");
    writeEncryptedFile(path, plain, key);
    expect(readEncryptedFile(path, key).equals(plain)).toBe(true);
    expect(readFileSync(path).includes(Buffer.from("label,pixels"))).toBe(false);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("a wrong key fails loudly, naming the file", () => {
    const path = join(data, "wrong-key.enc");
    writeEncryptedFile(path, plain, key);
    expect(() => readEncryptedFile(path, otherKey)).toThrow(WrongKeyError);
    expect(() => readEncryptedFile(path, otherKey)).toThrow(`${path}: was encrypted with key ${key.fingerprint}`);
  });

  it("a changed byte in the ciphertext, the tag or the IV fails authentication, naming the file", () => {
    for (const at of [30, -1, 20]) {
      const path = join(data, `tampered${at}.enc`);
      writeEncryptedFile(path, plain, key);
      flipByte(path, at);
      expect(() => readEncryptedFile(path, key)).toThrow(TamperedFileError);
      expect(() => readEncryptedFile(path, key)).toThrow(`${path}: failed authentication`);
    }
  });

  it("a file renamed to stand in for another fails, and a foreign file is named", () => {
    const path = join(data, "train.enc");
    writeEncryptedFile(path, plain, key);
    const swapped = join(data, "test.enc");
    renameSync(path, swapped);
    expect(() => readEncryptedFile(swapped, key)).toThrow(TamperedFileError);
    const foreign = join(data, "plain.bin");
    writeFileSync(foreign, plain);
    expect(() => readEncryptedFile(foreign, key)).toThrow(EncryptedFileError);
    expect(() => readEncryptedFile(foreign, key)).toThrow(foreign);
  });
});

describe("models encrypted at rest (Seed 000 §2.5 model encryption)", () => {
  const build = () => multiClassCnn({ inputShape: [8, 8, 1], convFilters: [2], denseUnits: 4, classes: 3, seed: 5 });

  it("round-trips to identical predictions; tampered weights and a wrong key fail naming the file", async () => {
    const model = build();
    const dir = join(data, "model");
    const files = await saveEncryptedModel(model, dir, key);
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, "float32", 3);
    const loaded = await loadEncryptedModel(dir, key);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b, x]);
    model.dispose();
    loaded.dispose();
    await expect(loadEncryptedModel(dir, otherKey)).rejects.toThrow(`${files.modelJson}: was encrypted with key`);
    flipByte(join(dir, ENCRYPTED_MODEL_FILES.weights), 40);
    await expect(loadEncryptedModel(dir, key)).rejects.toThrow(TamperedFileError);
    await expect(loadEncryptedModel(dir, key)).rejects.toThrow(`${files.weights}: failed authentication`);
  });
});

describe("signed manifests (Seed 000 §2.5 model authorisation)", () => {
  it("verifies, and names a changed file or a manifest signed by someone else", () => {
    const dir = join(data, "signed");
    mkdirSync(dir);
    writeFileSync(join(dir, "a.bin"), Buffer.from([1, 2, 3]));
    writeFileSync(join(dir, "b.bin"), Buffer.from([4, 5, 6]));
    const publisher = generateSigningKeys();
    signManifest(dir, ["a.bin", "b.bin"], publisher.privateKeyPem);
    expect(verifyManifest(dir, publisher.publicKeyPem).map((e) => e.file)).toEqual(["a.bin", "b.bin"]);
    expect(() => verifyManifest(dir, generateSigningKeys().publicKeyPem)).toThrow(/signature does not verify/);
    flipByte(join(dir, "b.bin"), 0);
    expect(() => verifyManifest(dir, publisher.publicKeyPem)).toThrow(ManifestError);
    expect(() => verifyManifest(dir, publisher.publicKeyPem)).toThrow(
      `${join(dir, "b.bin")}: does not match the signed manifest`,
    );
  });
});
