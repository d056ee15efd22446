/**
 * Jupyter connection files: the ports and HMAC key of one kernel. A new one gets five free
 * loopback ports and a random key, and is written readable by the owner only.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { LeptonError } from "../errors";

/** The content of a Jupyter connection file. */
export interface ConnectionInfo {
  readonly transport: "tcp";
  readonly ip: string;
  readonly shell_port: number;
  readonly iopub_port: number;
  readonly stdin_port: number;
  readonly control_port: number;
  readonly hb_port: number;
  readonly key: string;
  readonly signature_scheme: "hmac-sha256";
  readonly kernel_name: string;
}

/** Raised when a connection file cannot be read; the message names the file. */
export class ConnectionFileError extends LeptonError {}

const LOOPBACK = "127.0.0.1";

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Picks five distinct free loopback ports and a fresh 256-bit key. */
export async function newConnectionInfo(kernelName: string): Promise<ConnectionInfo> {
  const ports = new Set<number>();
  while (ports.size < 5) ports.add(await freePort());
  const [shell, iopub, stdin, control, hb] = [...ports] as [number, number, number, number, number];
  return {
    transport: "tcp",
    ip: LOOPBACK,
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    key: randomBytes(32).toString("hex"),
    signature_scheme: "hmac-sha256",
    kernel_name: kernelName,
  };
}

/** Writes the connection file with mode 0600, as jupyter_client does. */
export async function writeConnectionFile(file: string, info: ConnectionInfo): Promise<void> {
  await writeFile(file, JSON.stringify(info, null, 1), { mode: 0o600 });
}

/** Reads a connection file. */
export function readConnectionFile(file: string): ConnectionInfo {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ConnectionInfo;
  } catch (error) {
    throw new ConnectionFileError(`${file}: cannot read the connection file (${(error as Error).message})`);
  }
}

/** The zeromq endpoint of one channel. */
export function endpoint(info: ConnectionInfo, port: number): string {
  return `${info.transport}://${info.ip}:${port}`;
}
