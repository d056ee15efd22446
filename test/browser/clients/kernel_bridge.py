"""A line-based bridge between a test and the Lepton kernel, through Jupyter's own client.

Reads JSON commands on stdin, one a line:
  {"op": "execute", "code": ...}                         run a cell
  {"op": "comm_msg", "comm_id": ..., "data": ..., "buffers": [base64, ...]}
and writes JSON lines on stdout: {"kind": "ready"}; {"kind": "sent", "msg_id": ...} for each command,
in order; every iopub message as {"kind": "iopub", "msg_type", "parent", "content", "metadata",
"buffers": [base64, ...]}; and every shell reply as {"kind": "shell", "msg_type", "parent", "content"}.
Stops the kernel when stdin closes.

Usage: JUPYTER_PATH=<repo>/src/kernel/jupyter /usr/bin/python3 kernel_bridge.py
"""
import asyncio
import base64
import json
import sys

from jupyter_client.manager import AsyncKernelManager


def emit(record):
    sys.stdout.write(json.dumps(record, default=str) + "\n")
    sys.stdout.flush()


def encoded(buffers):
    return [base64.b64encode(bytes(b)).decode("ascii") for b in buffers or []]


async def pump(get, kind):
    while True:
        msg = await get()
        record = {"kind": kind, "msg_type": msg["header"]["msg_type"], "parent": msg["parent_header"].get("msg_id"), "content": msg["content"]}
        if kind == "iopub":
            record.update(metadata=msg.get("metadata", {}), buffers=encoded(msg.get("buffers")))
        emit(record)


async def main():
    km = AsyncKernelManager(kernel_name="lepton")
    await km.start_kernel()
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=120)
    tasks = [asyncio.ensure_future(pump(kc.get_iopub_msg, "iopub")), asyncio.ensure_future(pump(kc.get_shell_msg, "shell"))]
    emit({"kind": "ready"})
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            command = json.loads(line)
            if command["op"] == "execute":
                msg_id = kc.execute(command["code"], allow_stdin=False)
            else:
                msg = kc.session.msg("comm_msg", {"comm_id": command["comm_id"], "data": command["data"]})
                kc.session.send(kc.shell_channel.socket, msg, buffers=[base64.b64decode(b) for b in command.get("buffers", [])])
                msg_id = msg["header"]["msg_id"]
            emit({"kind": "sent", "msg_id": msg_id})
    finally:
        for task in tasks:
            task.cancel()
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


asyncio.run(main())
