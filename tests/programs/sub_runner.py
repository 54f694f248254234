"""A thread that runs code in a subinterpreter the main thread created.

The main thread creates the subinterpreter, then waits in join() while
"sub-runner" runs sub_func there (run_string, or Interpreter.exec where
concurrent.interpreters exists). Up to 3.12 run_string runs the
subinterpreter's first thread state, made by the main thread, so that
thread state carries the main thread's ids, not the runner's.

Announces, as JSON, the ident and native id of "main" and "runner" once
sub_func sleeps.
"""

import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce  # noqa: E402

try:
    from concurrent import interpreters  # 3.14+

    def make():
        return interpreters.create().exec
except ImportError:
    try:
        import _xxsubinterpreters as low
    except ImportError:  # 3.13
        import _interpreters as low

    def make():
        ident = low.create()
        return lambda code: low.run_string(ident, code)

threading.stack_size(256 * 1024)  # small cores
ids = {"main": [threading.get_ident(), threading.get_native_id()]}
read_fd, write_fd = os.pipe()
run = make()
code = f"""
import os, time
def sub_func():
    os.write({write_fd}, b"x"); time.sleep(1000)
sub_func()
"""


def runner():
    ids["runner"] = [threading.get_ident(), threading.get_native_id()]
    run(code)  # mark: run


thread = threading.Thread(target=runner, name="sub-runner", daemon=True)
thread.start()
os.read(read_fd, 1)
announce(json.dumps(ids))
thread.join()  # mark: join
