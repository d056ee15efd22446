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

from lepton_session import lepton_kernel, reply_to, until_idle

OUTPUT_TYPES = ("stream", "execute_result", "display_data", "error")
requests = json.load(sys.stdin)


def execute(code):
    msg_id = kc.execute(code, stop_on_error=False)
    outputs = [{"msg_type": m["header"]["msg_type"], **m["content"]} for m in until_idle(kc, msg_id, 180) if m["header"]["msg_type"] in OUTPUT_TYPES]
    reply = reply_to(kc.get_shell_msg, msg_id, 180)["content"]
    return {"reply": reply, "outputs": outputs}


def answer(request):
    if "execute" in request:
        return execute(request["execute"])
    if "complete" in request:
        msg_id = kc.complete(request["complete"], request.get("cursor"))
        return reply_to(kc.get_shell_msg, msg_id, 180)["content"]
    if "inspect" in request:
        msg_id = kc.inspect(request["inspect"], request.get("cursor"), request.get("detail", 0))
        return reply_to(kc.get_shell_msg, msg_id, 180)["content"]
    if "usage" in request:
        msg = kc.session.msg("usage_request", {})
        kc.control_channel.send(msg)
        return reply_to(kc.get_control_msg, msg["header"]["msg_id"], 60)["content"]
    if "write" in request:
        # A later modification time than the file had, even on filesystems with coarse timestamps.
        time.sleep(1.1)
        with open(request["write"], "w") as f:
            f.write(request["text"])
        return None
    raise ValueError(f"unknown request {request!r}")


with lepton_kernel(startup_timeout=180) as (km, kc):
    print(json.dumps([answer(request) for request in requests]))
