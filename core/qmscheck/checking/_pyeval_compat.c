/*
 * PyEval_CallObject for durable-rules on Python 3.13 and later.
 *
 * Python 3.13 removed PyEval_CallObject. durable-rules 2.0.28's C core (durable_rules_engine)
 * still names it, so on 3.13 that extension fails to import with "undefined symbol:
 * PyEval_CallObject". qmscheck.checking.pyeval_compat loads this library with RTLD_GLOBAL before
 * the engine is first imported, and the dynamic linker then finds the symbol here.
 *
 * The function reports an error rather than calling: compiled against headers that no longer
 * declare it, durable-rules calls PyEval_CallObject as an implicitly declared function
 * returning int, so a returned object pointer would be cut to 32 bits and dereferenced. Its only
 * callers are the callbacks of durable-rules' storage and timer host (set_*_callback), which
 * qmscheck never registers; a NULL result with an exception set is read there as a failed
 * callback, and the exception surfaces in Python instead of a crash.
 *
 * Before 3.13 the interpreter provides the function (as PyEval_CallObjectWithKeywords) and
 * this module defines nothing.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if PY_VERSION_HEX >= 0x030D0000
__attribute__((visibility("default"))) PyObject *PyEval_CallObject(PyObject *callable, PyObject *args) {
    (void)callable;
    (void)args;
    PyErr_SetString(PyExc_RuntimeError,
                    "durable-rules called PyEval_CallObject, which Python 3.13 removed: its callbacks "
                    "(set_*_callback) cannot run on this Python; qmscheck's engine adapter uses none");
    return NULL;
}
#endif

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "_pyeval_compat",
    "PyEval_CallObject for durable-rules on Python 3.13 and later; loaded by qmscheck.checking.pyeval_compat.",
    0,
    NULL,
};

PyMODINIT_FUNC PyInit__pyeval_compat(void) { return PyModule_Create(&module); }
