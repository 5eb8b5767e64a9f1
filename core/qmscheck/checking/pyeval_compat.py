"""Makes durable-rules' C core importable on Python 3.13 and later.

durable-rules 2.0.28's extension (``durable_rules_engine``) references ``PyEval_CallObject``,
which Python 3.13 removed, so importing it fails with "undefined symbol". qmscheck's own small
extension ``qmscheck.checking._pyeval_compat`` (``_pyeval_compat.c``, built when qmscheck is
installed) defines the symbol; loaded into the process's global symbol scope before the engine,
it is where the dynamic linker resolves that reference. :func:`load` must therefore run before
the first import of ``durable_rules_engine`` in every process: the engine adapter calls it
(:func:`qmscheck.checking.engine.core`).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys

MODULE = "qmscheck.checking._pyeval_compat"

_loaded: list[ctypes.CDLL] = []


def load() -> None:
    """Loads the compatibility library globally, once; nothing to do before Python 3.13.

    Raises ImportError when the library is missing (qmscheck installed without building it).
    """
    if sys.version_info < (3, 13) or _loaded:
        return
    spec = importlib.util.find_spec(MODULE)
    if spec is None or spec.origin is None:
        raise ImportError(
            f"{MODULE} is missing, which durable-rules needs on Python 3.13 and later: "
            "reinstall qmscheck with a C compiler and the Python headers present"
        )
    # A library already loaded without RTLD_GLOBAL (an ordinary import) is promoted by this call.
    _loaded.append(ctypes.CDLL(spec.origin, mode=os.RTLD_NOW | os.RTLD_GLOBAL))
