/**
 * Comms as the Jupyter messaging spec defines them, through Jupyter's own client: an unknown
 * target gets a comm_close, a target registered by a cell answers with data and binary buffers,
 * and comm_info lists open comms, filtered by target.
 */
import { describe, expect, it } from "vitest";
import { runKernelClient, sourcePath } from "./jupyter-requests";

describe("comms, through jupyter_client", () => {
  it("close unknown targets, echo through a cell's target with buffers, and list open comms", async () => {
    const observed = await runKernelClient("comms.py", [sourcePath("kernel", "server", "comms")]);
    expect(observed.unknown_closed).toBe(true);
    const id = observed.echo_id as string;
    expect(observed.info).toEqual({ [id]: { target_name: "lepton.echo" } });
    expect(observed.info_filtered).toEqual({});
    expect(observed.echo_data).toEqual({ echo: { value: 0.5 }, opened: { hello: 1 }, bytes: [3] });
    expect(observed.echo_buffers).toEqual(["010203"]);
  }, 240_000);
});
