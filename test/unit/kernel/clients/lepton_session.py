"""What the clients in this folder share: a Lepton kernel started by Jupyter's own client from the
kernelspec on JUPYTER_PATH, and the waits for a request's reply and for its iopub messages.
"""
from contextlib import contextmanager

from jupyter_client.manager import start_new_kernel


@contextmanager
def lepton_kernel(startup_timeout=120):
    """Yields the (manager, client) of a started kernel; shuts the kernel down on leaving."""
    km, kc = start_new_kernel(kernel_name="lepton", startup_timeout=startup_timeout)
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def reply_to(get, msg_id, timeout=120):
    """The message from `get` (a client's get_shell_msg, get_control_msg…) answering request `msg_id`."""
    while True:
        msg = get(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def until_idle(kc, msg_id, timeout=60):
    """The iopub messages of request `msg_id`, up to its idle status."""
    messages = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["header"]["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages
        messages.append(msg)


def result_text(messages):
    """The text/plain of the execute_result among `messages`, or None."""
    for msg in messages:
        if msg["header"]["msg_type"] == "execute_result":
            return msg["content"]["data"]["text/plain"]
    return None
