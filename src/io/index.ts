/** Model files on the file system (Seed 000 §5.2.4). */
export { saveModel, loadModel, fileSaveHandler, WEIGHTS_FILE, type SaveModelOptions, type SavedModel } from "./model-files";
export { readModelArtifacts, parseModelJson, confinedWeightsFile, modelJsonPath, weightSpecBytes, ModelFileError, type ModelJson } from "./model-json";
