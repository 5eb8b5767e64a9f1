"""qmscheck's C extension, the one part of the build pyproject.toml leaves to setuptools' API.

``qmscheck.checking._pyeval_compat`` provides PyEval_CallObject for durable-rules on Python 3.13
and later (see its source). It is built on every Python, defining nothing before 3.13, so that a
wheel's tags always say which Python it was built for. Like durable-rules, it needs a C compiler.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("qmscheck.checking._pyeval_compat", ["core/qmscheck/checking/_pyeval_compat.c"])])
