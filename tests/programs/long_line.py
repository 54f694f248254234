"""A frame whose current source line is 12 MB long.

Writes long_line_module.py to its working directory, one line of which
calls into the wait and then builds a 12 MB string, and runs it.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

LENGTH = 12 << 20
SOURCE = (
    "import time\n"
    "from ready import announce\n"
    "def in_long_line():\n"
    "    announce(); time.sleep(1000); data = '" + "x" * LENGTH + "'\n"
    "in_long_line()\n"
)

with open("long_line_module.py", "w") as f:
    f.write(SOURCE)
path = os.path.abspath("long_line_module.py")
exec(compile(SOURCE, path, "exec"), {"__name__": "long_line_module"})
