"""The web app's job queue: queued sessions analysed one at a time, oldest first.

The queue is the ``sessions`` table itself (status queued -> running -> done,
failed or cancelled), so it survives a restart: on start, sessions left
running by a server that stopped are marked failed with that reason, and the
queued ones are picked up again. Each job runs in its own process group
(``runform.app.web.worker``); a video already uses both cores for pose inference, so
jobs run one after another. Cancelling stops the process group.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import select, update

from ...outputs.folder import remove_leftovers
from ..store.db import Store
from ..store.models import RunSession, utcnow

log = logging.getLogger("runform.app.web")
INTERRUPTED = "The server stopped while this analysis ran; analyse it again with Retry."
DIED = "The analysis stopped before its end"  # _died's words: the process ended without its result
INTERNAL = "internal error"  # worker.py's words for a bug in runform


def retry_helps(status: str, error: str | None) -> bool:
    """Whether analysing the same file again can end otherwise: after a cancel, a server stop, a
    crash or an internal error, yes; a recording runform refused (too short, no runner, not a
    video) would be refused again, so it is not offered."""
    text = error or ""
    return status == "cancelled" or text == INTERRUPTED or text.startswith((INTERNAL, DIED))


class JobRunner:
    def __init__(self, store: Store, db_url: str):
        self.store, self.db_url = store, db_url
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._current: tuple[int, subprocess.Popen] | None = None
        self._thread = threading.Thread(target=self._loop, name="runform-jobs", daemon=True)

    def start(self) -> None:
        with self.store.session.begin() as db:
            stopped = db.scalars(select(RunSession.output_dir).where(RunSession.status == "running")).all()
            db.execute(update(RunSession).where(RunSession.status == "running")
                       .values(status="failed", error=INTERRUPTED, finished_at=utcnow()))
        for out in map(Path, filter(None, stopped)):  # what the analyses the stop cut short had written
            remove_leftovers(out.parent, out.name)
        self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        with self._lock:
            if self._current:
                _kill(self._current[1])
        self._thread.join(timeout=10)

    def notify(self) -> None:
        """A session was queued."""
        self._wake.set()

    def cancel(self, session_id: int) -> bool:
        """Cancel a queued or running session; False when it had already ended."""
        with self.store.session.begin() as db:
            n = db.execute(update(RunSession).where(RunSession.id == session_id,
                                                    RunSession.status.in_(("queued", "running")))
                           .values(status="cancelled", error="Cancelled.", finished_at=utcnow())).rowcount
        with self._lock:
            if self._current and self._current[0] == session_id:
                _kill(self._current[1])
        return bool(n)

    def _next(self) -> RunSession | None:
        """Claim the oldest queued session (one statement, so two claims never take the same)."""
        with self.store.session.begin() as db:
            sid = db.scalars(select(RunSession.id).where(RunSession.status == "queued")
                             .order_by(RunSession.created_at, RunSession.id).limit(1)).first()
            if sid is None:
                return None
            claimed = db.execute(update(RunSession).where(RunSession.id == sid, RunSession.status == "queued")
                                 .values(status="running", progress=0.0)).rowcount
            return db.get(RunSession, sid) if claimed else None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                session = self._next()
            except Exception as e:  # the database is unreachable for a moment: try again, keep serving
                log.warning("runform: job queue cannot read the database (%s); retrying", e)
                session = None
                self._stop.wait(5.0)
            if session is None:
                self._wake.wait(timeout=2.0)
                self._wake.clear()
                continue
            try:
                proc = subprocess.Popen([sys.executable, "-m", "runform.app.web.worker", self.db_url, str(session.id)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
            except OSError as e:
                self._finish(session, -1, f"the analysis process could not start ({e})")
                continue
            with self._lock:
                self._current = (session.id, proc)
            _, err = proc.communicate()
            with self._lock:
                self._current = None
            try:
                self._finish(session, proc.returncode, err.decode(errors="replace"))
            except Exception as e:
                log.warning("runform: could not record the end of session %s (%s)", session.id, e)

    def _finish(self, session: RunSession, code: int, err: str) -> None:
        """A worker that died (killed, out of memory) leaves its session running: fail it with the reason,
        and remove the half-written output it left beside the session folder."""
        out = Path(session.output_dir)
        remove_leftovers(out.parent, out.name)
        with self.store.session.begin() as db:
            row = db.get(RunSession, session.id)
            if row is not None and row.status == "running":
                row.status, row.finished_at = "failed", utcnow()
                row.error = INTERRUPTED if self._stop.is_set() else _died(code, err)


def _died(code: int, err: str) -> str:
    """Why an analysis process ended without its result, in words."""
    if code == -signal.SIGKILL:
        why = ("it was stopped from outside, most often because the computer ran out of memory; a shorter or "
               "smaller video needs less")
    elif code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else f"signal {-code}"
        why = f"it was stopped from outside ({name})"
    else:
        last = err.strip().splitlines()[-1] if err.strip() else ""
        why = f"it failed ({last[:300]})" if last else "it failed without saying why"
    return f"{DIED}: {why}. Analyse it again with Retry."


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
