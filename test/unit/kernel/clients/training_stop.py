"""Clicks the Stop button of the training-progress widget with Jupyter's own client while `fit`
runs in a cell, and reports how the run ended. Prints one JSON object on stdout.

Usage: JUPYTER_PATH=<repo>/src/kernel/jupyter /usr/bin/python3 training_stop.py <repo>/src <checkpoint folder>
"""
import json
import re
import sys

from lepton_session import lepton_kernel, reply_to, until_idle

SRC, CHECKPOINTS = sys.argv[1], sys.argv[2]


def printed(expression):
    """What `console.log(JSON.stringify(expression))` prints, parsed."""
    messages = until_idle(kc, kc.execute("console.log(JSON.stringify(" + expression + "));"))
    return json.loads("".join(m["content"]["text"] for m in messages if m["header"]["msg_type"] == "stream"))


with lepton_kernel() as (km, kc):
    out = {}
    code = "\n".join([
        'import * as tf from "@tensorflow/tfjs";',
        'import { fit } from "' + SRC + '/training/fit";',
        'import { CheckpointStore } from "' + SRC + '/training/checkpoint";',
        'import { TrainingProgress } from "' + SRC + '/kernel/widgets";',
        "const model = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [4], activation: 'relu' }), tf.layers.dense({ units: 1 })] });",
        "model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });",
        "const x = tf.randomNormal([64, 4], 0, 1, 'float32', 1);",
        "const y = tf.randomNormal([64, 1], 0, 1, 'float32', 2);",
        "const epochs = 100_000;",
        "const progress = new TrainingProgress({ epochs, batchesPerEpoch: 8 });",
        "progress.display();",
        "const tensorsBefore = tf.memory().numTensors;",
        'const result = await fit(model, x, y, { epochs, batchSize: 8, seed: 3, checkpointDir: "' + CHECKPOINTS + '", ...progress.hooks() });',
        "progress.finish(result);",
    ])
    run_id = kc.execute(code)
    comms, label_values, display = {}, [], None
    # Watch the widget until two epochs have ended, then click Stop as a front end would.
    while True:
        msg = kc.get_iopub_msg(timeout=120)
        kind = msg["header"]["msg_type"]
        if kind == "comm_open":
            comms[msg["content"]["comm_id"]] = msg["content"]["data"]["state"]
        if kind == "display_data" and msg["parent_header"].get("msg_id") == run_id:
            display = msg["content"]["data"].get("application/vnd.jupyter.widget-view+json")
        if kind == "comm_msg":
            state = msg["content"]["data"].get("state", {})
            if comms.get(msg["content"]["comm_id"], {}).get("_model_name") == "LabelModel" and "value" in state:
                label_values.append(state["value"])
                ended = re.match(r"^epoch (\d+)/\d+ · loss", state["value"])
                if ended and int(ended.group(1)) >= 2:
                    break
    button = next(i for i, s in comms.items() if s["_model_name"] == "ButtonModel")
    box = next(i for i, s in comms.items() if s["_model_name"] == "HBoxModel")
    out["display_is_box"] = display is not None and display["model_id"] == box
    out["box_children"] = len(comms[box]["children"])
    click = kc.session.msg("comm_msg", {"comm_id": button, "data": {"method": "custom", "content": {"event": "click"}}})
    kc.shell_channel.send(click)
    # The click is handled while the cell still runs: its button update comes before the cell's reply.
    click_updates, click_idle_before_reply, reply = [], None, None
    while True:
        msg = kc.get_iopub_msg(timeout=120)
        parent = msg["parent_header"].get("msg_id")
        if parent == click["header"]["msg_id"]:
            if msg["header"]["msg_type"] == "comm_msg":
                click_updates.append(msg["content"]["data"]["state"])
            if msg["header"]["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                click_idle_before_reply = True
        if parent == run_id and msg["header"]["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    out["click_updates"] = click_updates
    out["click_handled_while_running"] = click_idle_before_reply
    out["reply"] = reply_to(kc.get_shell_msg, run_id, 180)["content"]["status"]
    out["labels_seen"] = len(label_values)
    out["result"] = printed(
        "{ stopped: result.stopped, epochs: result.epochs.length, lossEpochs: result.history.loss!.length,"
        " checkpointEpoch: new CheckpointStore(" + json.dumps(CHECKPOINTS) + ", 2).latest()?.state.epoch, leaked: tf.memory().numTensors - tensorsBefore,"
        " label: progress.label.value, button: progress.stopButton.get('disabled') }"
    )
    print(json.dumps(out))
