"""Drives the Lepton kernel with Jupyter's own client and reports, for each cell, which request
every iopub output was parented to. Prints one JSON object on stdout.

Usage: JUPYTER_PATH=<repo>/src/kernel/jupyter /usr/bin/python3 output_parents.py <display module path>
"""
import json
import sys
import time

from lepton_session import lepton_kernel, reply_to

DISPLAY = sys.argv[1]
OUTPUT_TYPES = {"stream", "display_data", "update_display_data", "execute_result", "error"}

with lepton_kernel() as (km, kc):
    def run(code, timeout=180):
        msg_id = kc.execute(code)
        return msg_id, reply_to(kc.get_shell_msg, msg_id, timeout)["content"]["status"]

    warm = run('import { show, markdown } from "' + DISPLAY + '";\nconst sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));')
    kc.get_iopub_msg  # drain below
    cells = {}
    # 1. An un-awaited show(): its display must belong to this cell, and come before this cell is idle.
    cells["unawaited"], _ = run('show(markdown("**from the un-awaited cell**"));')
    # 2. A timer started here fires while cell 3 runs.
    cells["timer"], _ = run('setTimeout(() => console.log("late output from the timer cell"), 1500);')
    cells["busy"], _ = run('await sleep(3000); console.log("the busy cell");')
    # 3. A completion request while a cell's timer is pending: the late output still goes to that cell.
    cells["before_complete"], _ = run('setTimeout(() => console.log("after the completion"), 1500);')
    kc.complete("Mat", 3)
    time.sleep(2.5)

    messages = []
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except Exception:
            break
        messages.append(msg)
    outputs = []
    idle_index = {}
    for index, msg in enumerate(messages):
        parent = msg["parent_header"].get("msg_id")
        kind = msg["header"]["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            idle_index.setdefault(parent, index)
        if kind in OUTPUT_TYPES:
            content = msg["content"]
            text = content.get("text") or json.dumps(content.get("data", {}))[:200]
            outputs.append({"index": index, "type": kind, "parent": parent, "text": text})
    print(json.dumps({"cells": cells, "outputs": outputs, "idle": idle_index}))
