"""durable-rules' C core imports and evaluates on the running Python, 3.13 included, where it
needs qmscheck's PyEval_CallObject (core/qmscheck/checking/_pyeval_compat.c)."""

from __future__ import annotations

import ctypes
import subprocess
import sys

import pytest
from qmscheck.checking import engine

NEEDS_SHIM = sys.version_info >= (3, 13)

# A fresh interpreter, so that nothing the test session imported before can provide the symbol.
EVALUATE = """
from qmscheck.checking.engine import Probe, evaluate
facts = [{"id": "e0", "qf": 1, "t": "x", "n_score": 10}, {"id": "e1", "qf": 1, "t": "x", "n_score": 90}]
print(sorted(evaluate([Probe("low", ("x",), {"$lt": {"n_score": 50}})], facts)["low"]))
"""


def test_a_new_process_imports_the_engine_and_evaluates_a_rule() -> None:
    done = subprocess.run([sys.executable, "-c", EVALUATE], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "['e0']\n"


def test_the_symbol_is_in_the_process_exactly_where_this_python_lacks_it() -> None:
    engine.core()
    # dlopen(NULL): the process's global scope, where the C core's references are resolved.
    # Before 3.13 libpython provides PyEval_CallObjectWithKeywords and nothing of this name.
    assert hasattr(ctypes.PyDLL(None), "PyEval_CallObject") == NEEDS_SHIM


@pytest.mark.skipif(not NEEDS_SHIM, reason="Python before 3.13 has no PyEval_CallObject shim to load")
def test_the_shim_raises_rather_than_return_a_pointer_durable_rules_would_truncate() -> None:
    engine.core()
    function = ctypes.PyDLL(None).PyEval_CallObject
    function.restype = ctypes.py_object
    function.argtypes = (ctypes.py_object, ctypes.py_object)
    calls: list[object] = []
    with pytest.raises(RuntimeError, match=r"Python 3\.13 removed"):
        function(calls.append, ("called",))
    assert calls == []
