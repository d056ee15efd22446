"""Jupyter's kernel conformance suite (jupyter_kernel_test) against the Lepton kernel.

Run from the repository root (as .ci/run does), either as a script or through unittest discovery:
    JUPYTER_PATH=$PWD/src/kernel/jupyter /usr/bin/python3 test/conformance/test_lepton_kernel.py -v
    JUPYTER_PATH=$PWD/src/kernel/jupyter /usr/bin/python3 -m unittest discover -v -s test/conformance -t test/conformance
(`python3 -m unittest test/conformance/test_lepton_kernel.py` cannot work: unittest imports it as
`test.conformance…`, and `test` is Python's own regression-test package.)
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

    @classmethod
    def setUpClass(cls):
        """Starts the kernel, then lets it build its compiler and type-check src/display once.

        The suite gives every reply 15 s; a kernel's first cell waits for TypeScript's first program
        and the first import of src/display type-checks and loads tfjs, which together can take
        longer on a loaded 2-core machine. Start-up speed is measured in bench/kernel-startup.ts.
        """
        super().setUpClass()
        warm_up = 'import { show as warmUp } from "' + DISPLAY + '";\ntypeof warmUp;'
        reply = cls.kc.execute_interactive(warm_up, timeout=300, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the Lepton kernel could not run its warm-up cell: {reply['content']}")

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
