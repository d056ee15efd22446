"""Drives the Lepton kernel with Jupyter's own client through a list of requests read as JSON on
stdin, and prints one JSON list of what each request got back. The kernel starts in the current
working directory, as Jupyter starts it from a notebook's folder.

A request is one of:
  {"execute": CODE}                            -> {"reply": execute_reply content, "outputs": [iopub content with msg_type]}
  {"complete": CODE, "cursor": N}              -> complete_reply content
  {"inspect": CODE, "cursor": N, "detail": D}  -> inspect_reply content
  {"usage": true}                              -> usage_reply content (control channel)
  {"write": PATH, "text": TEXT}                -> null (writes a file, for edits between cells)

Usage: JUPYTER_PATH=<kernelspec dir> /usr/bin/python3 requests.py < requests.json
"""
import json
import sys
import time

from jupyter_client.manager import start_new_kernel

requests = json.load(sys.stdin)
km, kc = start_new_kernel(kernel_name="lepton", startup_timeout=180)


def reply_to(msg_id, get, timeout=180):
    while True:
        msg = get(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def execute(code):
    msg_id = kc.execute(code, stop_on_error=False)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=180)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["header"]["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            break
        if kind in ("stream", "execute_result", "display_data", "error"):
            outputs.append({"msg_type": kind, **msg["content"]})
    reply = reply_to(msg_id, kc.get_shell_msg)["content"]
    return {"reply": reply, "outputs": outputs}


def answer(request):
    if "execute" in request:
        return execute(request["execute"])
    if "complete" in request:
        msg_id = kc.complete(request["complete"], request.get("cursor"))
        return reply_to(msg_id, kc.get_shell_msg)["content"]
    if "inspect" in request:
        msg_id = kc.inspect(request["inspect"], request.get("cursor"), request.get("detail", 0))
        return reply_to(msg_id, kc.get_shell_msg)["content"]
    if "usage" in request:
        msg = kc.session.msg("usage_request", {})
        kc.control_channel.send(msg)
        return reply_to(msg["header"]["msg_id"], kc.get_control_msg, timeout=60)["content"]
    if "write" in request:
        # A later modification time than the file had, even on filesystems with coarse timestamps.
        time.sleep(1.1)
        with open(request["write"], "w") as f:
            f.write(request["text"])
        return None
    raise ValueError(f"unknown request {request!r}")


try:
    print(json.dumps([answer(request) for request in requests]))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
