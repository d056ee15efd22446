/**
 * The kernel's own network defences, measured on a running kernel: which TCP ports its process
 * listens on and on which addresses (read from /proc/PID/fd and /proc/PID/net/tcp{,6}, what `ss -ltnp` reads too), and
 * whether a message with a forged HMAC signature is executed — sent on a socket of our own, so nothing in the client
 * can help or hide the result.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as zmq from "zeromq";
import { decodeMessage, encodeMessage, endpoint, MessageSigner, Session, type ConnectionInfo } from "../jupyter";
import { LeptonError } from "../errors";

/** One TCP socket in LISTEN state. */
export interface ListeningSocket {
  readonly family: "tcp" | "tcp6";
  /** The bound address as text: `127.0.0.1`, `0.0.0.0`, `::1`, `::`. */
  readonly address: string;
  readonly port: number;
  readonly inode: number;
}

/** Raised when a process's sockets cannot be read; the message names the path. */
export class SocketTableError extends LeptonError {}

const LISTEN_STATE = "0A";

/** Reads a /proc/net/tcp address: IPv4 as 4 little-endian bytes, IPv6 as four little-endian 32-bit words. */
function decodeAddress(hex: string, family: "tcp" | "tcp6"): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => (word.match(/../g) ?? []).reverse().map((pair) => parseInt(pair, 16)));
  if (family === "tcp") return bytes.join(".");
  // An IPv4 address on an IPv6 socket (::ffff:a.b.c.d) is written as ss writes it.
  if (bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff)
    return `::ffff:${bytes.slice(12).join(".")}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // Shorten the longest run of zero groups to "::", as ss and inet_ntop write it.
  const text = groups.join(":");
  const runs = [...`:${text}:`.matchAll(/:(?:0:)+/g)].sort((a, b) => b[0].length - a[0].length);
  if (runs.length === 0) return text;
  const longest = runs[0]!;
  const padded = `:${text}:`;
  const shortened = `${padded.slice(0, longest.index)}::${padded.slice(longest.index! + longest[0].length)}`;
  return shortened.replace(/^:(?!:)/, "").replace(/(?<!:):$/, "");
}

/**
 * Parses /proc/net/tcp or /proc/net/tcp6 and returns its LISTEN sockets; `file` names the table
 * in errors.
 */
export function parseTcpTable(text: string, family: "tcp" | "tcp6", file: string): ListeningSocket[] {
  const lines = text.split("\n");
  if (!/local_address/.test(lines[0] ?? ""))
    throw new SocketTableError(`${file}: not a /proc/net/${family} table (no local_address header)`);
  const sockets: ListeningSocket[] = [];
  lines.slice(1).forEach((line, index) => {
    if (line.trim() === "") return;
    const fields = line.trim().split(/\s+/);
    const [address, port] = (fields[1] ?? "").split(":");
    const inode = Number(fields[9]);
    if (
      address === undefined ||
      port === undefined ||
      !/^[0-9A-F]+$/i.test(address + port) ||
      !Number.isInteger(inode)
    ) {
      throw new SocketTableError(`${file}: row ${index + 2} is not a socket entry: ${JSON.stringify(line.trim())}`);
    }
    if (fields[3] !== LISTEN_STATE) return;
    sockets.push({ family, address: decodeAddress(address, family), port: parseInt(port, 16), inode });
  });
  return sockets;
}

/** Socket inodes a process holds open: its /proc/PID/fd links that read `socket:[INODE]`. */
function socketInodes(pid: number, procRoot: string): Set<number> {
  const folder = `${procRoot}/${pid}/fd`;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    throw new SocketTableError(
      `${folder}: cannot list the process's open files (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const inodes = new Set<number>();
  for (const name of names) {
    let target: string;
    try {
      target = readlinkSync(`${folder}/${name}`);
    } catch {
      continue; // closed between the listing and the read
    }
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match !== null) inodes.add(Number(match[1]));
  }
  return inodes;
}

/**
 * The TCP sockets process `pid` listens on, from /proc (Linux): the LISTEN rows of its network
 * namespace's tcp and tcp6 tables whose inode the process holds. `procRoot` lets a test point at
 * a prepared tree. (Seed 000 §2.5 system security)
 */
export function listeningSockets(pid: number, procRoot = "/proc"): ListeningSocket[] {
  const inodes = socketInodes(pid, procRoot);
  const sockets: ListeningSocket[] = [];
  for (const family of ["tcp", "tcp6"] as const) {
    const file = `${procRoot}/${pid}/net/${family}`;
    if (!existsSync(file)) continue; // a kernel without IPv6 has no tcp6 table
    sockets.push(
      ...parseTcpTable(readFileSync(file, "utf8"), family, file).filter((socket) => inodes.has(socket.inode)),
    );
  }
  return sockets.sort((a, b) => a.port - b.port);
}

/** Whether an address is loopback only (127.0.0.0/8, ::1, or IPv4-mapped loopback). */
export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === "::1" || /^::ffff:127\./i.test(address);
}

/** What one execute_request caused. */
export interface RequestOutcome {
  /** Whether a reply to it came back on its shell socket. */
  readonly replied: boolean;
  /** The reply's status when one came ("ok", "error"). */
  readonly status: string | undefined;
  /** Whether its code ran: the code creates a marker file, checked on disk afterwards. */
  readonly executed: boolean;
}

/** The forged and the signed request, side by side. */
export interface SigningProbe {
  readonly forged: RequestOutcome;
  readonly signed: RequestOutcome;
  /** How long the forged request was given alone before the signed one was sent, in ms. */
  readonly forgedWaitMs: number;
}

/** Options of {@link probeMessageSigning}. */
export interface SigningProbeOptions {
  /** A folder for the requests' marker files (`forged.marker`, `signed.marker`; removed afterwards). */
  readonly markerFolder: string;
  /** How long the forged request is given alone; default 2 s. */
  readonly forgedWaitMs?: number;
  /** How long to wait for the signed request; default 60 s (the first cell compiles). */
  readonly signedWaitMs?: number;
}

/**
 * Sends the kernel (ports and key from `connection`) an execute_request signed with a random
 * wrong key, then the same request signed with the connection key, each on its own shell
 * socket. Each request's code writes its own marker file, so "executed" is read off the disk.
 * The kernel serves shell requests in order, so once the signed request is answered a forged one
 * that had been accepted would have run and replied too.
 */
export async function probeMessageSigning(
  connection: ConnectionInfo,
  options: SigningProbeOptions,
): Promise<SigningProbe> {
  const forgedWaitMs = options.forgedWaitMs ?? 2_000;
  const markers = {
    forged: join(options.markerFolder, "forged.marker"),
    signed: join(options.markerFolder, "signed.marker"),
  };
  for (const file of Object.values(markers)) rmSync(file, { force: true });
  const realKey = new MessageSigner(connection.key);
  const forgedSocket = executeRequest(connection, new MessageSigner(randomBytes(32).toString("hex")), markers.forged);
  const signedSocket = executeRequest(connection, realKey, markers.signed);
  try {
    await forgedSocket.socket.send(forgedSocket.frames);
    let forgedStatus = await receiveReply(forgedSocket, realKey, forgedWaitMs);
    await signedSocket.socket.send(signedSocket.frames);
    const signedStatus = await receiveReply(signedSocket, realKey, options.signedWaitMs ?? 60_000);
    forgedStatus ??= await receiveReply(forgedSocket, realKey, 200);
    const outcome = (status: string | null | undefined, marker: string): RequestOutcome => ({
      replied: status !== undefined,
      status: status ?? undefined,
      executed: existsSync(marker),
    });
    return {
      forged: outcome(forgedStatus, markers.forged),
      signed: outcome(signedStatus, markers.signed),
      forgedWaitMs,
    };
  } finally {
    forgedSocket.socket.close();
    signedSocket.socket.close();
    for (const file of Object.values(markers)) rmSync(file, { force: true });
  }
}

interface ProbeSocket {
  readonly socket: zmq.Dealer;
  readonly msgId: string;
  readonly frames: (string | Buffer)[];
}

/** Opens a shell socket with a marker-writing execute_request signed by `signer`, ready to send. */
function executeRequest(connection: ConnectionInfo, signer: MessageSigner, marker: string): ProbeSocket {
  const socket = new zmq.Dealer({ linger: 0 });
  socket.connect(endpoint(connection, connection.shell_port));
  const header = new Session("probe").header("execute_request");
  const code = `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "executed");`;
  const content = {
    code,
    silent: false,
    store_history: false,
    user_expressions: {},
    allow_stdin: false,
    stop_on_error: true,
  };
  const frames = encodeMessage(signer, { header, parent_header: {}, metadata: {}, content });
  return { socket, msgId: header.msg_id, frames };
}

/**
 * The status of the reply to the socket's request, `null` for a reply without one, `undefined` when none came in
 * `timeoutMs`.
 */
async function receiveReply(
  { socket, msgId }: ProbeSocket,
  signer: MessageSigner,
  timeoutMs: number,
): Promise<string | null | undefined> {
  socket.receiveTimeout = timeoutMs;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let frames: Buffer[];
    try {
      frames = await socket.receive();
    } catch (error) {
      if ((error as { code?: string }).code === "EAGAIN") return undefined;
      throw error;
    }
    // The kernel signs with the real key: a frame set that fails it is no reply at all.
    const reply = decodeMessage(signer, frames);
    if (reply.parent_header.msg_id === msgId)
      return typeof reply.content.status === "string" ? reply.content.status : null;
  }
  return undefined;
}
