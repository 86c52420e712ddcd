"""The application: the ``tempx`` command line, its commands, the experiments E1–E8, ``reproduce``,
the report and the figures.  It composes students (``tempx.numerics.students``) and drivers
(``tempx.numerics.drivers``) and holds no mathematics of its own."""
