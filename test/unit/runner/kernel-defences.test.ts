/**
 * The kernel's network defences: the /proc socket reader on a
 * prepared tree, then the real kernel — loopback-only sockets, and a forged signature refused.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKernel, type KernelClient } from "../../../src/runner/kernel-client";
import {
  isLoopback,
  listeningSockets,
  parseTcpTable,
  probeMessageSigning,
  SocketTableError,
} from "../../../src/runner/kernel-defences";

const HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
const row = (sl: number, local: string, state: string, inode: number) =>
  `   ${sl}: ${local} 00000000:0000 ${state} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 100 0 0 10 0`;

/** Writes process 77's /proc/net table for `family` under `root`: the header, then one row a [local, state, inode]. */
function writeTable(root: string, family: "tcp" | "tcp6", sockets: readonly (readonly [string, string, number])[]) {
  const rows = sockets.map(([local, state, inode], sl) => row(sl, local, state, inode));
  writeFileSync(join(root, "77", "net", family), [HEADER, ...rows].join("\n") + "\n");
}

describe("reading listening sockets from /proc", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "proc-"));
    mkdirSync(join(root, "77", "fd"), { recursive: true });
    mkdirSync(join(root, "77", "net"));
    writeTable(root, "tcp", [
      ["0100007F:1F90", "0A", 501],
      ["00000000:0016", "0A", 502],
      ["0100007F:1F91", "01", 503],
      ["0100007F:2328", "0A", 999],
    ]);
    writeTable(root, "tcp6", [
      ["00000000000000000000000001000000:1F92", "0A", 504],
      ["0000000000000000FFFF00000100007F:1F93", "0A", 505],
      ["000080FE00000000FF020000FE0D0000:1F94", "0A", 506],
    ]);
    // The process holds inodes 501–504; 999 belongs to another process in the namespace.
    for (const [fd, inode] of [
      [3, 501],
      [4, 502],
      [5, 503],
      [6, 504],
      [7, 505],
      [8, 506],
    ] as const)
      symlinkSync(`socket:[${inode}]`, join(root, "77", "fd", String(fd)));
    symlinkSync("/dev/null", join(root, "77", "fd", "0"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("keeps the process's LISTEN rows, decoding IPv4 and IPv6 addresses and ports", () => {
    expect(listeningSockets(77, root)).toEqual([
      { family: "tcp", address: "0.0.0.0", port: 22, inode: 502 },
      { family: "tcp", address: "127.0.0.1", port: 8080, inode: 501 },
      { family: "tcp6", address: "::1", port: 8082, inode: 504 },
      { family: "tcp6", address: "::ffff:127.0.0.1", port: 8083, inode: 505 },
      { family: "tcp6", address: "fe80::2ff:0:dfe", port: 8084, inode: 506 },
    ]);
  });

  it("tells loopback from every-interface addresses", () => {
    expect(["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"].every(isLoopback)).toBe(true);
    expect(["0.0.0.0", "::", "10.0.0.5", "::ffff:10.0.0.5"].some(isLoopback)).toBe(false);
  });

  it("names the table and row of a malformed line, and a process it cannot read", () => {
    expect(() => parseTcpTable(`${HEADER}\n   0: garbage\n`, "tcp", "/proc/9/net/tcp")).toThrow(
      /\/proc\/9\/net\/tcp: row 2 is not a socket entry/,
    );
    expect(() => parseTcpTable("hello\n", "tcp", "/x/tcp")).toThrow(SocketTableError);
    expect(() => listeningSockets(78, root)).toThrow(new RegExp(`${join(root, "78", "fd")}: cannot list`));
  });
});

describe.runIf(process.platform === "linux")("the real kernel", () => {
  const NOTEBOOKS = resolve(__dirname, "..", "..", "..", "notebooks");
  let kernel: KernelClient;
  let markers: string;
  beforeAll(async () => {
    kernel = await startKernel({ kernelName: "lepton", cwd: NOTEBOOKS });
    markers = mkdtempSync(join(tmpdir(), "probe-"));
  }, 120_000);
  afterAll(async () => {
    await kernel?.shutdown();
    rmSync(markers, { recursive: true, force: true });
  });

  it("listens on loopback only, on the connection file's five ports", async () => {
    const ports = [
      kernel.connection.shell_port,
      kernel.connection.iopub_port,
      kernel.connection.stdin_port,
      kernel.connection.control_port,
      kernel.connection.hb_port,
    ];
    // The stdin socket is bound by a worker thread just after the kernel starts answering.
    let sockets = listeningSockets(kernel.pid!);
    for (
      const deadline = Date.now() + 10_000;
      ports.some((port) => !sockets.some((s) => s.port === port)) && Date.now() < deadline;
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      sockets = listeningSockets(kernel.pid!);
    }
    expect(sockets.map((socket) => socket.port).sort()).toEqual(expect.arrayContaining([...ports].sort()));
    expect(sockets.filter((socket) => !isLoopback(socket.address))).toEqual([]);
  });

  it("neither answers nor runs a request with a forged signature; runs the signed one", async () => {
    const probe = await probeMessageSigning(kernel.connection, { markerFolder: markers, forgedWaitMs: 1_000 });
    expect(probe.forged).toEqual({ replied: false, status: undefined, executed: false });
    expect(probe.signed).toEqual({ replied: true, status: "ok", executed: true });
    expect(kernel.stderr()).toMatch(/dropped a message: message signature does not match/);
  }, 120_000);
});
