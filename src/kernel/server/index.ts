/**
 * The kernel's server side: the Jupyter channels (KernelServer) and what runs behind them — cells
 * executed in the kernel's context, comms, the stdin channel, history and usage.
 */
export { KernelServer, type KernelServerOptions } from "./kernel-server";
