"""The auditor's commands (``qmscheck sample``, ``bundle``, ``verify``, ``diff``, ``history``, ``plan``,
``checklist``): one module each, registered on the ``qmscheck`` group by :mod:`qmscheck.cli`."""
