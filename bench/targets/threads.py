"""THREADS threads, each DEPTH frames deep, all waiting on one event."""

import os
import sys
import threading

threading.stack_size(1 << 20)
count, depth = int(sys.argv[1]), int(sys.argv[2])
started = threading.Semaphore(0)
stop = threading.Event()


def recurse(n, index):
    if n == 0:
        started.release()
        stop.wait()
        return
    recurse(n - 1, index)


threads = [threading.Thread(target=recurse, args=(depth, i), daemon=True) for i in range(count)]
for t in threads:
    t.start()
for _ in threads:
    started.acquire()
with open(os.environ["READY_FILE"], "w") as f:
    f.write("ready\n")
stop.wait()
