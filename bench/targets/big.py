"""Big objects as locals (a 100k dict, a 1M list, a 10 MB str) and a module with 10k globals."""

import os
import time

module_globals = globals()
for i in range(10_000):
    module_globals[f"global_{i}"] = i


def hold():
    big_dict = {f"key{i}": i for i in range(100_000)}
    big_list = list(range(1_000_000))
    big_str = "x" * 10_000_000
    with open(os.environ["READY_FILE"], "w") as f:
        f.write("ready\n")
    time.sleep(3600)
    return big_dict, big_list, big_str


hold()
