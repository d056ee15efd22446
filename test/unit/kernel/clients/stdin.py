"""Asks the Lepton kernel for input through Jupyter's own client: a synchronous prompt() and an
awaited input() answered on the stdin channel, and a cell run with allow_stdin=False, and an interrupted prompt.
Prints one JSON object on stdout.

Usage: JUPYTER_PATH=<repo>/src/kernel/jupyter /usr/bin/python3 stdin.py <path of src/kernel/server/stdin>
"""
import json
import queue
import sys

from lepton_session import lepton_kernel, reply_to, result_text, until_idle

STDIN = sys.argv[1]


def answered(code, answers, allow_stdin=True, timeout=120):
    """Runs `code`, answering each input_request in turn; returns the requests, the reply and the cell's output."""
    msg_id = kc.execute(code, allow_stdin=allow_stdin)
    requests, reply = [], None
    while reply is None:
        try:
            request = kc.get_stdin_msg(timeout=0.2)
            requests.append({"content": request["content"], "parent": request["parent_header"].get("msg_id") == msg_id})
            kc.input(answers[len(requests) - 1])
        except queue.Empty:
            pass
        try:
            shell = kc.get_shell_msg(timeout=0.05)
            if shell["parent_header"].get("msg_id") == msg_id:
                reply = shell["content"]
        except queue.Empty:
            pass
    return requests, reply, result_text(until_idle(kc, msg_id, 30)) or ""


with lepton_kernel() as (km, kc):
    out = {}
    requests, reply, text = answered('const name = prompt("your name?");\n`hello ${name}`', ["Ada"])
    out["sync"] = {"requests": requests, "status": reply["status"], "value": text}
    code = 'import { input } from "' + STDIN + '";\nconst secret = await input("passphrase:", { password: true });\nsecret.length'
    requests, reply, text = answered(code, ["open sesame"])
    out["async"] = {"requests": requests, "status": reply["status"], "value": text}
    requests, reply, text = answered('prompt("anyone there?")', [], allow_stdin=False)
    out["refused"] = {"requests": requests, "status": reply["status"], "ename": reply.get("ename"), "evalue": reply.get("evalue")}
    # An interrupt ends a prompt nobody answers.
    msg_id = kc.execute('prompt("waiting")', allow_stdin=True)
    waiting = kc.get_stdin_msg(timeout=60)["content"]["prompt"]
    km.interrupt_kernel()
    out["interrupted"] = {"prompt": waiting, "status": reply_to(kc.get_shell_msg, msg_id, 60)["content"]["status"]}
    _, reply, text = answered("name?.toUpperCase()", [])
    out["after"] = text
    out["after_reply"] = {k: reply.get(k) for k in ("status", "ename", "evalue")}
    print(json.dumps(out))
