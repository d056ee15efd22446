/** The Jupyter wire, as both the kernel and the runner speak it. */
export {
  ConnectionFileError,
  endpoint,
  newConnectionInfo,
  readConnectionFile,
  writeConnectionFile,
  type ConnectionInfo,
} from "./connection";
export { jupyterDataDirs, kernelSpecDir, prefixDataDir, userDataDir, type JupyterEnv } from "./data-dirs";
export { findKernelSpec, kernelArgv, KernelSpecError, type KernelSpec, type ResolvedKernelSpec } from "./kernelspec";
export { receiveMessages, type FrameSource } from "./receive";
export { MessageSigner } from "./signing";
export {
  decodeMessage,
  encodeMessage,
  messageHeader,
  PROTOCOL_VERSION,
  ProtocolError,
  Session,
  type JupyterMessage,
  type MessageHeader,
} from "./wire";
