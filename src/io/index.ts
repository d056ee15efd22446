/** Model files on the file system (Seed 000 §5.2.4; DESIGN.md "src/io"). */
export { saveModel, loadModel, fileSaveHandler, WEIGHTS_FILE, type SaveModelOptions, type SavedModel } from "./model-files";
export { readModelArtifacts, parseModelJson, confinedWeightsFile, modelJsonPath, weightSpecBytes, ModelFileError, type ModelJson } from "./model-json";
