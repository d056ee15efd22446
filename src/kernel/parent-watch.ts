/**
 * Ends the kernel when the process that started it is gone, as ipykernel's parent poller does:
 * a front end or runner killed without a shutdown_request would otherwise leave the kernel
 * training on in the background, holding CPU, memory and a GPU. On Unix an orphan is re-parented,
 * so a changed parent pid means the parent died. Like ipykernel, it watches only when the launcher
 * asks for it by setting JPY_PARENT_PID (jupyter_client does for kernels it owns; the workbook's
 * runner does too), so a kernel started by hand and left running stays up.
 */
export function exitWhenParentDies(
  onOrphaned: () => void,
  env: NodeJS.ProcessEnv = process.env,
  intervalMs = 1000,
): () => void {
  if ((env.JPY_PARENT_PID?.trim() ?? "") === "") return () => undefined;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) onOrphaned();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
