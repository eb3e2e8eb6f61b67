"""Worker processes that end when the process that started them is gone.

A worker blocks on its task queue; when its parent is killed (``kill -9``, the OOM killer) nothing closes
that queue in a way it notices, and it would wait, holding its memory, for ever. A daemon thread checks
once a second whether the worker has been handed to another parent and, if so, ends the process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

CHECK_SECONDS = 1.0


def exit_with_parent(interval: float = CHECK_SECONDS) -> None:
    """Start watching the parent of this process; exit at once when it has died.

    The parent is the one multiprocessing recorded when it started this process, not whatever
    ``getppid`` says now: a parent killed while this process was still starting counts as dead too.
    """
    started_by = multiprocessing.parent_process()
    parent = started_by.pid if started_by is not None and started_by.pid else os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(70)  # EX_SOFTWARE: nothing is left to report to

    threading.Thread(target=watch, name="lantern-parent-watch", daemon=True).start()
