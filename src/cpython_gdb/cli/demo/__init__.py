"""The sample program that ``cpython-gdb demo`` starts and inspects (``sample.py``)."""

import os

SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample.py")
