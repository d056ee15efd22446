/**
 * The documents' architectures, builders only: Seed 000 §5.2.2's and Seed 001 §5.2's CNNs, Seed 001 §4.2's RNN, Seed
 * 001 §4.3's GAN.
 */
export {
  binaryCnn,
  multiClassCnn,
  CnnConfigError,
  SEED000_INPUT,
  SEED001_INPUT,
  SEED001_CONV_FILTERS,
  FASHION_MNIST_INPUT,
  FASHION_MNIST_CONV_FILTERS,
  type ImageShape,
  type BinaryCnnOptions,
  type MultiClassCnnOptions,
} from "./cnn";
export {
  denseGan,
  dcgan,
  discriminatorLoss,
  generatorLoss,
  toTanhRange,
  fromTanhRange,
  checkGanSize,
  GanConfigError,
  FASHION_MNIST_GAN_SHAPE,
  type GanImageShape,
  type GanPair,
  type DiscriminatorOutput,
  type GanForm,
  type DenseGanOptions,
  type DcganOptions,
} from "./gan";
export {
  documentRecurrence,
  elmanRecurrence,
  recurrentForecaster,
  checkRnnSize,
  ScratchRnnForecaster,
  RnnShapeError,
  RnnConfigError,
  RECURRENT_LAYER_KINDS,
  type RecurrentActivation,
  type RecurrenceForm,
  type ElmanWeights,
  type ScratchRnnOptions,
  type RecurrentLayerKind,
  type RecurrentForecasterOptions,
} from "./rnn";
