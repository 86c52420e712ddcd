"""The drivers: what runs a student — gradient descent, gradient flow and its limit, evaluation,
and the executors that spread models over processes or a Dask cluster.  A driver talks to a
student only through the student protocol (``tempx.numerics.students.protocol``)."""
