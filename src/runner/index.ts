/** src/runner: runs notebooks headless through a real kernel, and checks a running kernel's defences. */
export {
  KernelClient,
  KernelDiedError,
  KernelTimeoutError,
  startKernel,
  type ExecutionResult,
  type KernelLaunchOptions,
} from "./kernel-client";
export {
  isLoopback,
  listeningSockets,
  parseTcpTable,
  probeMessageSigning,
  SocketTableError,
  type ListeningSocket,
  type RequestOutcome,
  type SigningProbe,
  type SigningProbeOptions,
} from "./kernel-defences";
export {
  formatFailure,
  OPT_IN_TAGS,
  runNotebook,
  type CellFailure,
  type NotebookRunResult,
  type OptInTag,
  type RunNotebookOptions,
} from "./run-notebook";
export { readNotebook, writeNotebook, NotebookFormatError, type Notebook, type NotebookCell } from "./notebook";
