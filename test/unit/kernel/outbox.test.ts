import { describe, expect, it } from "vitest";
import { Outbox, type FrameSender } from "../../../src/kernel/server/outbox";

/** A socket that behaves as zeromq.js does: a send while another is in flight throws EBUSY. */
class OneAtATimeSocket implements FrameSender {
  readonly delivered: string[] = [];
  private busy = false;
  send(frames: (string | Buffer)[]): Promise<void> {
    if (this.busy)
      throw Object.assign(new Error("Socket is busy writing; only one send operation may be in progress at any time"), {
        code: "EBUSY",
      });
    this.busy = true;
    return new Promise((resolve, reject) =>
      setTimeout(() => {
        this.busy = false;
        if (String(frames[0]) === "fail") reject(new Error("send failed"));
        else {
          this.delivered.push(String(frames[0]));
          resolve();
        }
      }, 2),
    );
  }
}

describe("Outbox", () => {
  it("the socket alone refuses a second send in flight", () => {
    const socket = new OneAtATimeSocket();
    void socket.send(["a"]);
    expect(() => socket.send(["b"])).toThrow(/busy writing/);
  });

  it("sends everything, one at a time, in the order asked", async () => {
    const socket = new OneAtATimeSocket();
    const outbox = new Outbox(socket);
    await Promise.all(["status", "stream", "display_data", "execute_reply"].map((name) => outbox.send([name])));
    expect(socket.delivered).toEqual(["status", "stream", "display_data", "execute_reply"]);
  });

  it("reports a failed send to its caller and still sends the later ones", async () => {
    const socket = new OneAtATimeSocket();
    const outbox = new Outbox(socket);
    const results = await Promise.allSettled([outbox.send(["one"]), outbox.send(["fail"]), outbox.send(["three"])]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(socket.delivered).toEqual(["one", "three"]);
  });
});
