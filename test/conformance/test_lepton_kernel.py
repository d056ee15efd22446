"""Jupyter's kernel conformance suite (jupyter_kernel_test) against the Lepton kernel.

Run from the repository root (as .ci/run does):
    JUPYTER_PATH=$PWD/src/kernel/jupyter /usr/bin/python3 -m unittest -v test/conformance/test_lepton_kernel.py
"""
import os
import unittest

import jupyter_kernel_test


# The library's display module, by absolute path so the samples work from any working directory.
DISPLAY = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "display")).replace("\\", "/")


class LeptonKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "lepton"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world");'
    code_stderr = 'console.error("oops");'

    completion_samples = [
        {"text": "Math.PI.toFix", "matches": {"toFixed"}},
        {"text": "const alphabet = 1; alpha", "matches": {"alphabet"}},
    ]

    complete_code_samples = ["1 + 1", "const x: number = 3;", "function f(a: number) { return a; }", "class A {}"]
    incomplete_code_samples = ["function f(a: number) {", "if (true) {", "const xs = [1, 2,", "const y = 1 +"]
    invalid_code_samples = ["const = 1;", "1 +* 2;", "function (a) }"]

    code_generate_error = 'throw new Error("conformance error");'

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": '"a" + "b"', "result": "'ab'"},
        {"code": "[1, 2].length", "result": "2"},
    ]

    code_display_data = [
        {"code": 'import { show, markdown } from "' + DISPLAY + '";\nawait show(markdown("# title"));', "mime": "text/markdown"},
        {"code": 'import { show as show2, html } from "' + DISPLAY + '";\nawait show2(html("<b>x</b>"));', "mime": "text/html"},
    ]

    code_history_pattern = "1 +*"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"
    code_page_something = "Math.max?"

    code_clear_output = 'import { clearOutput } from "' + DISPLAY + '";\nclearOutput();'


if __name__ == "__main__":
    unittest.main()
