/**
 * The kernel's compiler side: cells' TypeScript is checked and converted by tslab's converter in a
 * worker thread (CompilerWorker), which also answers completions, inspection and is_complete.
 */
export { isProjectFile, modifiedMs } from "./changed-files";
export { CompilerWorker, type AsyncCellCompiler } from "./client";
export { isOwnPackageSpecifier, ownPackageRequire, PACKAGE_ROOT } from "./own-package";
export { KernelSetupError, type CellCompletion, type CellDiagnostic, type ConvertedCell } from "./typescript-bridge";
export { CELL_TYPESCRIPT } from "./typescript-loader";
