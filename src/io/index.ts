/**
 * Model files on the file system (Seed 000 §5.2.4), encrypted and signed at rest (Seed 000 §2.5); dataset storage
 * formats (Seed 000 §2.4).
 */
export {
  saveModel,
  loadModel,
  modelFromArtifacts,
  fileSaveHandler,
  modelJsonFor,
  concatWeightData,
  WEIGHTS_FILE,
  type SaveModelOptions,
  type SavedModel,
} from "./model-files";
export {
  readModelArtifacts,
  modelArtifactsOf,
  parseModelJson,
  confinedWeightsFile,
  modelJsonPath,
  weightSpecBytes,
  ModelFileError,
  type ModelJson,
} from "./model-json";
export {
  assertKeyNotBeside,
  createKeyFile,
  fileAccess,
  InsecureKeyFileError,
  KEY_BYTES,
  KEY_ENV,
  KEY_FILE_ENV,
  keyFingerprint,
  KeyError,
  loadKey,
  octal,
  readKeyFile,
  type DataKey,
  type FileAccess,
  type LoadKeyOptions,
} from "./keys";
export {
  decryptBytes,
  ENCRYPTION_OVERHEAD_BYTES,
  EncryptedFileError,
  encryptBytes,
  encryptFile,
  readEncryptedFile,
  TamperedFileError,
  writeEncryptedFile,
  WrongKeyError,
} from "./encryption";
export {
  compareStorageFormats,
  decodeImages,
  encodeImages,
  packImages,
  STORAGE_FORMAT_DETAIL,
  STORAGE_FORMATS,
  StorageFormatError,
  unpackImages,
  type ImageBytes,
  type StorageFormat,
  type StoredImages,
} from "./storage-formats";
export { adoptOptimizer } from "./optimizer-ownership";
export {
  ENCRYPTED_MODEL_FILES,
  loadEncryptedModel,
  saveEncryptedModel,
  type EncryptedModelFiles,
} from "./encrypted-model";
export {
  generateSigningKeys,
  ManifestError,
  MANIFEST_FILE,
  SIGNATURE_FILE,
  signManifest,
  verifyManifest,
  type ManifestEntry,
  type SigningKeys,
} from "./signed-manifest";
