"""Drives the Lepton kernel's widgets with Jupyter's own client, as a front end speaking the widget
messaging protocol 2.1.0 would. Prints one JSON object on stdout.

Usage: JUPYTER_PATH=<repo>/src/kernel/jupyter /usr/bin/python3 widgets.py <path of src/kernel/widgets>
"""
import json
import os
import sys
import uuid

from lepton_session import lepton_kernel, reply_to, result_text, until_idle

WIDGETS = sys.argv[1]
# The slider and button cell the browser test draws too.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "slider_and_button_cell.txt")) as f:
    SLIDER_AND_BUTTON = f.read()


def run(code):
    msg_id = kc.execute(code)
    messages = until_idle(kc, msg_id)
    reply = reply_to(kc.get_shell_msg, msg_id, 60)
    assert reply["content"]["status"] == "ok", reply["content"]
    return messages


def value(expression):
    return result_text(run(expression))


def comm_send(comm_id, data, buffers=None, msg_type="comm_msg"):
    msg = kc.session.msg(msg_type, {"comm_id": comm_id, "data": data})
    kc.session.send(kc.shell_channel.socket, msg, buffers=buffers or [])
    return until_idle(kc, msg["header"]["msg_id"])


def comm_msgs(messages, comm_id=None):
    return [
        {"data": m["content"]["data"], "buffers": [bytes(b).hex() for b in m["buffers"]]}
        for m in messages
        if m["header"]["msg_type"] == "comm_msg" and (comm_id is None or m["content"]["comm_id"] == comm_id)
    ]


with lepton_kernel() as (km, kc):
    out = {}
    created = run("\n".join([
        'import { Button, FloatSlider, Output, Widget } from "' + WIDGETS + '";',
        SLIDER_AND_BUTTON,
        "const out = new Output();",
        'const blob = new Widget({ _model_module: "lepton-test", _model_module_version: "1.0.0", _model_name: "BlobModel", _view_module: null, _view_module_version: "", _view_name: null, data: Buffer.from([1, 2, 3]) });',
        "button",
    ]))
    opens = [m for m in created if m["header"]["msg_type"] == "comm_open"]
    out["opens"] = [
        {"target": m["content"]["target_name"], "metadata": m["metadata"], "content_keys": sorted(m["content"]), "model": m["content"]["data"]["state"]["_model_name"],
         "buffer_paths": m["content"]["data"]["buffer_paths"], "buffers": [bytes(b).hex() for b in m["buffers"]]}
        for m in opens
    ]
    by_model = {m["content"]["data"]["state"]["_model_name"]: m for m in opens}
    slider_id = by_model["FloatSliderModel"]["content"]["comm_id"]
    button_id = by_model["ButtonModel"]["content"]["comm_id"]
    output_id = by_model["OutputModel"]["content"]["comm_id"]
    blob_id = by_model["BlobModel"]["content"]["comm_id"]
    out["ids"] = {"slider": slider_id, "button": button_id, "output": output_id, "blob": blob_id}
    out["slider_state"] = by_model["FloatSliderModel"]["content"]["data"]["state"]
    out["layout_ids"] = [m["content"]["comm_id"] for m in opens if m["content"]["data"]["state"]["_model_name"] == "LayoutModel"]
    out["displays"] = [m["content"]["data"] for m in created if m["header"]["msg_type"] in ("display_data", "execute_result")]

    # A front end moves the slider: echo_update, then the kernel-side value and observers.
    out["frontend_update"] = comm_msgs(comm_send(slider_id, {"method": "update", "state": {"value": 0.75}, "buffer_paths": []}), slider_id)
    out["after_frontend_update"] = [value("slider.value"), value("JSON.stringify(seen)")]
    # The kernel moves it: one update with the changed key.
    out["kernel_update"] = comm_msgs(run("slider.value = 0.5;"), slider_id)
    # A click arrives as a custom message.
    comm_send(button_id, {"method": "custom", "content": {"event": "click"}})
    out["clicks"] = value("clicks")
    # request_state: the full state.
    out["request_state"] = comm_msgs(comm_send(slider_id, {"method": "request_state"}), slider_id)
    # Binary buffers both ways.
    out["binary_update"] = comm_msgs(comm_send(blob_id, {"method": "update", "state": {}, "buffer_paths": [["data"]]}, buffers=[b"\x09\x08"]), blob_id)
    out["binary_value"] = value("(blob.get('data') as Buffer).toString('hex')")
    # The Output widget shows a cell's outputs through its msg_id.
    msg_id = kc.execute('await out.capture(() => console.log("captured"));')
    captured = until_idle(kc, msg_id)
    out["capture"] = {"updates": comm_msgs(captured, output_id), "cell": msg_id,
                      "stream": [m["content"]["text"] for m in captured if m["header"]["msg_type"] == "stream"]}
    # The control comm answers request_states with every widget's state.
    control = str(uuid.uuid4())
    msg = kc.session.msg("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}, "metadata": {"version": "2.1.0"}})
    kc.shell_channel.send(msg)
    until_idle(kc, msg["header"]["msg_id"])
    states = comm_msgs(comm_send(control, {"method": "request_states"}), control)
    out["control"] = {"method": states[0]["data"]["method"], "ids": sorted(states[0]["data"]["states"]), "slider": states[0]["data"]["states"][slider_id],
                      "buffer_paths": states[0]["data"]["buffer_paths"], "buffers": states[0]["buffers"]} if states else None
    print(json.dumps(out))
