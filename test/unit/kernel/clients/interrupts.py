"""Interrupts the Lepton kernel with Jupyter's own client (KernelManager.interrupt_kernel, which
sends SIGINT as the kernelspec asks) and reports whether the interrupted work really stopped.
Prints one JSON object on stdout.

Usage: JUPYTER_PATH=<repo>/src/kernel/jupyter /usr/bin/python3 interrupts.py
"""
import json
import time

from lepton_session import lepton_kernel, reply_to, result_text, until_idle


def value(expression):
    return result_text(until_idle(kc, kc.execute(expression)))


def interrupted_after(code, seconds):
    msg_id = kc.execute(code)
    time.sleep(seconds)
    km.interrupt_kernel()
    return reply_to(kc.get_shell_msg, msg_id)["content"]


with lepton_kernel() as (km, kc):
    out = {}
    reply_to(kc.get_shell_msg, kc.execute('const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));\nlet counter = 0;\nlet epochsSeen = 0;'), timeout=180)
    # 1. An awaiting loop started by the cell.
    out["loop_reply"] = interrupted_after("(async () => { for (;;) { counter++; await sleep(20); } })();\nawait sleep(600_000);", 3)["status"]
    out["loop_after"] = [value("counter"), None]
    time.sleep(1.5)
    out["loop_after"][1] = value("counter")
    # 2. tfjs's own model.fit.
    code = "\n".join([
        'import * as tf from "@tensorflow/tfjs";',
        "const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [8], activation: 'relu' }), tf.layers.dense({ units: 1 })] });",
        "model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });",
        "const xs = tf.randomNormal([256, 8]);",
        "const ys = tf.randomNormal([256, 1]);",
        "await model.fit(xs, ys, { epochs: 100_000, batchSize: 32, verbose: 0, callbacks: { onEpochEnd: async () => { epochsSeen++; } } });",
    ])
    out["fit_reply"] = interrupted_after(code, 8)["status"]
    time.sleep(1)
    out["fit_after"] = [value("epochsSeen"), None]
    time.sleep(2)
    out["fit_after"][1] = value("epochsSeen")
    # 3. The kernel keeps its state and runs the next cell.
    out["state"] = value("typeof model.predict === 'function' && counter > 0")
    print(json.dumps(out))
