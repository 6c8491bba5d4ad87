"""Worker processes that die with the process that started them.

A local pool's workers are forked from a forkserver, so their parent is not the sweep's process
and nothing tells them when that process is gone: killed outright (SIGKILL), a worker would
finish its chunk (minutes on a large scenario) and wait for the next one. :func:`watch` runs in
every worker as it starts: a daemon thread checks the sweep's process a few times a second and
ends the worker at once when it has exited, been killed or become a zombie (psutil compares
its start time, so a reused pid is not mistaken for it). Workers ignore SIGINT: Ctrl-C reaches
the whole foreground group, and the sweep's process stops its workers itself.

The forkserver and the resource tracker exit by themselves once the sweep's process and its
workers are gone (they read end-of-file on pipes those processes held). Linux and macOS.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import psutil

INTERVAL = 0.2
"""Seconds between two looks at the sweep's process."""
ORPHANED = 3
"""A worker's exit status when it ends because the sweep's process is gone."""


def watch(parent: int, started: float) -> None:
    """In a worker: ignore Ctrl-C, and exit soon after process `parent` (which started at
    `started`, psutil's create time) is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process = psutil.Process(parent)
        if process.create_time() != started:  # the pid was reused: the sweep is gone
            os._exit(ORPHANED)
    except psutil.NoSuchProcess:  # gone before this worker started
        os._exit(ORPHANED)
    threading.Thread(target=_keep_watching, args=(process,), name="lifeline", daemon=True).start()


def identity() -> tuple[int, float]:
    """This process's pid and start time: what :func:`watch` takes."""
    return os.getpid(), psutil.Process().create_time()


def alive(process: psutil.Process) -> bool:
    """Whether `process` still runs (the same process: a reused pid does not count). A look
    that fails for another reason (no permission, no file descriptors left) counts as alive:
    the next look decides."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except (psutil.Error, OSError):
        return True


def _keep_watching(process: psutil.Process) -> None:
    while alive(process):
        time.sleep(INTERVAL)
    os._exit(ORPHANED)  # nobody is left to read this worker's results
