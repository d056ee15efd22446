"""Exercises the Lepton kernel's comms with Jupyter's own client. Prints one JSON object.

Usage: JUPYTER_PATH=<repo>/src/kernel/jupyter /usr/bin/python3 comms.py <path of src/kernel/server/comms>
"""
import json
import sys
import time
import uuid

from lepton_session import lepton_kernel, reply_to

COMMS = sys.argv[1]


def iopub_of(comm_id, kind, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["header"]["msg_type"] == kind and msg["content"].get("comm_id") == comm_id:
            return msg
    return None


def send(msg_type, content, buffers=None):
    msg = kc.session.msg(msg_type, content)
    kc.shell_channel.send(msg) if buffers is None else kc.session.send(kc.shell_channel.socket, msg, buffers=buffers)
    return msg["header"]["msg_id"]


with lepton_kernel() as (km, kc):
    out = {}
    unknown = str(uuid.uuid4())
    send("comm_open", {"comm_id": unknown, "target_name": "nobody.listens", "data": {}})
    closed = iopub_of(unknown, "comm_close")
    out["unknown_closed"] = closed is not None
    code = "\n".join([
        'import { kernelComms } from "' + COMMS + '";',
        'kernelComms().registerTarget("lepton.echo", (comm, open) => {',
        '  comm.onMessage = ({ data, buffers }) => comm.send({ echo: data, opened: open.data, bytes: buffers.map((b) => b.length) }, buffers);',
        '});',
    ])
    reply_to(kc.get_shell_msg, kc.execute(code))
    echo = str(uuid.uuid4())
    send("comm_open", {"comm_id": echo, "target_name": "lepton.echo", "data": {"hello": 1}})
    time.sleep(0.5)
    info = reply_to(kc.get_shell_msg, kc.comm_info())["content"]
    info_filtered = reply_to(kc.get_shell_msg, kc.comm_info(target_name="other.target"))["content"]
    send("comm_msg", {"comm_id": echo, "data": {"value": 0.5}}, buffers=[b"\x01\x02\x03"])
    reply = iopub_of(echo, "comm_msg")
    out["info"] = info["comms"]
    out["info_filtered"] = info_filtered["comms"]
    out["echo_data"] = reply["content"]["data"] if reply else None
    out["echo_buffers"] = [bytes(b).hex() for b in reply["buffers"]] if reply else None
    out["echo_id"] = echo
    print(json.dumps(out))
