"""Progress lines for the long steps of a run (geocoding, areas, drawing, each image) on a terminal."""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager

from .messages import message, terminal_text

#: A step of ``render`` that runs longer than this (seconds) gets a progress line on the terminal.
STEP_NOTICE_SECONDS = 2.0


class Steps:
    """Progress lines for the long steps of :func:`render` on a terminal (stderr).

    ``with steps("step_drawing"):`` shows nothing for a step that ends within
    :data:`STEP_NOTICE_SECONDS`; a longer one gets a line that counts the seconds and
    ends with 「完了（N 秒）」, so a user waiting on a big map sees that it is working.
    Off unless ``enabled`` (the command turns it on when stderr is a terminal).
    """

    def __init__(self, enabled: bool, lang: str, *, stream=None, after: float | None = None):
        self.enabled, self.lang = bool(enabled), lang
        self.stream = stream if stream is not None else sys.stderr
        self.after = STEP_NOTICE_SECONDS if after is None else after

    @contextmanager
    def __call__(self, key: str):
        if not self.enabled:
            yield
            return
        label = terminal_text(message(key, self.lang))
        start, stop, shown = time.monotonic(), threading.Event(), []

        def show():
            seconds = f"{time.monotonic() - start:,.0f}"
            self.stream.write(f"\r{label}… {message('step_seconds', self.lang, seconds=seconds)}")
            self.stream.flush()
            shown.append(True)

        def tick():
            while not stop.wait(1.0 if shown else self.after):
                show()

        if self.after <= 0:
            show()  # at once (and so in order with what the step prints)
        thread = threading.Thread(target=tick, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            if shown:
                seconds = f"{time.monotonic() - start:,.0f}"
                self.stream.write(f"\r{label}… {message('step_done', self.lang, seconds=seconds)}\n")
                self.stream.flush()
