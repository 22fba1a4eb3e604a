"""``runform batch``: many recordings on a Dask cluster, resumable, into one output folder.

    OUT/batch.json          the settings this folder's results were made with
    OUT/status.csv          one row per input file (rewritten as results arrive): status (done; failed:
                        the recording cannot be analysed, says why; error: a bug or a lost worker;
                        not a recording), error, seconds, worker
    OUT/recordings/<key>/   each recording's runform output folder (summary.json, strides.csv, report.html...)
    OUT/strides.parquet     every stride of every recording (see batch.tables)
    OUT/recordings.parquet  one row per input file

A recording whose folder is complete is skipped on a rerun; the same content
twice is analysed once. Each Dask worker analyses one recording at a time on
one core (pose inference runs in the worker itself). When a worker dies, the
scheduler gives its recording to another worker; a recording is written once,
and a folder half-written by a killed worker is removed at the end.
"""

from __future__ import annotations

import json
import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
from distributed.diagnostics.plugin import WorkerPlugin

from ... import __version__
from ...errors import UsageError
from ...outputs.folder import remove_leftovers
from .inputs import Recording, find_recordings, read_manifest, settings_fingerprint
from .tables import write_tables
from .task import analyse_one

STATUS_COLUMNS = ["file", "status", "error", "source", "athlete", "recording_key", "seconds", "worker",
                  "finished_at"]
DEFAULT_CONNECT_TIMEOUT_S = 5


@dataclass
class BatchResult:
    out: Path
    status: list[dict] = field(default_factory=list)
    n_strides: int = 0
    seconds: float = 0.0
    workers: int = 0

    def count(self, status: str) -> int:
        return sum(1 for r in self.status if r["status"] == status)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def _write_status(out: Path, rows: list[dict]) -> None:
    tmp = out / ".status.csv.tmp"
    pd.DataFrame(rows, columns=STATUS_COLUMNS).to_csv(tmp, index=False)
    os.replace(tmp, out / "status.csv")


def _claim_folder(out: Path, meta: dict) -> None:
    """Use ``out`` only for results made with these settings."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"Output path '{out}' is a file.", "Give a folder with --out.")
    marker = out / "batch.json"
    if marker.is_file():
        old = json.loads(marker.read_text())
        if old.get("fingerprint") != meta["fingerprint"]:
            diff = sorted(k for k in set(old.get("settings", {})) | set(meta["settings"])
                          if old.get("settings", {}).get(k) != meta["settings"].get(k))
            if old.get("sensor") != meta["sensor"]:
                diff.append("sensor options")
            raise UsageError(
                f"'{out}' holds a batch made with other settings ({', '.join(diff) or 'settings'} differ); "
                "runform will not mix the two in one table.",
                "Give another --out for these settings, or rerun with the settings in its batch.json.")
    elif out.is_dir() and any(not f.name.startswith(".") for f in out.iterdir()):
        raise UsageError(f"Output folder '{out}' holds other files; runform will not mix a batch into it.",
                         "Choose an empty or new folder with --out.")
    out.mkdir(parents=True, exist_ok=True)
    (out / "recordings").mkdir(exist_ok=True)
    marker.write_text(json.dumps(meta, indent=2))


@contextmanager
def _lock(out: Path):
    """One batch at a time in a folder: an exclusive lock on OUT/.batch.lock for the run (the
    operating system drops it if the process dies)."""
    import fcntl

    if out.exists() and not out.is_dir():
        raise UsageError(f"Output path '{out}' is a file.", "Give a folder with --out.")
    out.mkdir(parents=True, exist_ok=True)
    handle = open(out / ".batch.lock", "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise UsageError(f"Another runform batch is writing into '{out}'.",
                         "Wait for it to finish, or give another --out.") from None
    try:
        yield
    finally:
        handle.close()
        if not (out / "batch.json").is_file():  # refused before the folder became a batch: leave it as it was
            (out / ".batch.lock").unlink(missing_ok=True)


def _previous_status(out: Path) -> dict[str, dict]:
    """The earlier runs' rows by recording key: done, and failed (an input problem, which
    the same bytes and settings would meet again)."""
    try:
        df = pd.read_csv(out / "status.csv", dtype=str, keep_default_na=False)
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return {}
    return {r["recording_key"]: r for r in df.to_dict("records") if r.get("status") in ("done", "failed")}


class _Cluster:
    """A Dask client: on the scheduler given, else on a local cluster (one single-threaded worker
    process per core) started here and closed afterwards."""

    def __init__(self, scheduler: str | None, n_workers: int | None, log_dir: Path):
        logging.getLogger("distributed").setLevel(logging.ERROR)
        from dask.distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=DEFAULT_CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError, ValueError) as e:
                raise UsageError(
                    f"Could not reach the Dask scheduler at '{scheduler}' ({e.__class__.__name__}: {e}).",
                    "Check the address (tcp://host:8786), that `dask scheduler` runs there and that the port is open; "
                    "leave out --scheduler to run on this machine.") from None
        else:
            n = n_workers or max(1, os.cpu_count() or 1)
            # MediaPipe's native log lines would garble the progress bar: workers log to files
            os.environ.setdefault("GLOG_minloglevel", "2")
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
            self.client.register_plugin(_LogToFile(str(log_dir)), name="runform-log-to-file")

    def n_workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1)["workers"]) if self.client else 0

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


class _LogToFile(WorkerPlugin):
    """Send a local worker's native stderr (MediaPipe's log lines) to OUT/logs/worker-<pid>.log."""

    def __init__(self, folder: str):
        self.folder = folder

    def setup(self, worker) -> None:
        Path(self.folder).mkdir(parents=True, exist_ok=True)
        fd = os.open(os.path.join(self.folder, f"worker-{os.getpid()}.log"),
                     os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)


def run_batch(inputs: list[str], out: str | Path, base: dict, sensor: dict | None = None,
              manifest: str | Path | None = None, scheduler: str | None = None, n_workers: int | None = None,
              retry_failed: bool = False, db_url: str | None = None,
              on_start: Callable[[int, int, int], None] | None = None,
              on_result: Callable[[dict], None] | None = None) -> BatchResult:
    """Analyse every recording in ``inputs`` into ``out``: find and key them, plan what is left
    to do, run it on the cluster, then write the tables and the store.

    ``base``: Settings keyword arguments for all recordings (a manifest row overrides height,
    speed and sex); ``sensor``: the sensor-table options. ``on_start(to_do, done_before,
    not_recordings)`` and ``on_result(status_row)`` report progress.
    """
    t0 = time.perf_counter()
    out = Path(out).resolve()
    sensor = {k: v for k, v in (sensor or {}).items() if v}
    base = {**base, "workers": 1}
    man = read_manifest(Path(manifest)) if manifest else {}
    found = find_recordings(inputs, base, sensor, man, exclude=out)
    if not found.recordings:
        raise UsageError("No recording found in the inputs (videos, C3D/TRC trials, sensor CSVs).",
                         "Give files, folders or patterns such as 'trials/**/*.c3d'.")
    store = None
    if db_url:
        from ..store.db import Store

        store = Store(db_url)  # a bad URL or a database that is down fails here, before any work
    meta = {"runform_version": __version__, "settings": base, "sensor": sensor,
            "fingerprint": settings_fingerprint(base, sensor)}
    with _lock(out):  # one batch at a time in this folder
        _claim_folder(out, meta)
        rows, todo = _plan(out, found, _previous_status(out), retry_failed)
        _write_status(out, _ordered(rows))
        if on_start:
            on_start(sum(len(v) for v in todo.values()),
                     sum(1 for r in rows.values() if r["status"] in ("done", "failed")), len(found.skipped))
        result = BatchResult(out)
        if todo:
            result.workers = _run(out, todo, rows, sensor, scheduler, n_workers, on_result)
        remove_leftovers(out / "recordings")  # folders half-written by a worker that died
        result.status = _ordered(rows)
        result.n_strides, _ = write_tables(out, result.status)
        if store is not None:
            _record(store, out, found, result.status)
        result.seconds = time.perf_counter() - t0
        return result


def _blank_row(path: Path, **fields) -> dict:
    return {"file": str(path), "status": "", "error": "", "source": "", "athlete": "", "recording_key": "",
            "seconds": "", "worker": "", "finished_at": "", **fields}


def _ordered(rows: dict[Path, dict]) -> list[dict]:
    return [rows[p] for p in sorted(rows)]


def _plan(out: Path, found, before: dict[str, dict], retry_failed: bool
          ) -> tuple[dict[Path, dict], dict[str, list[Recording]]]:
    """A status row for every file, and the recordings still to analyse by key: those without
    a result, failed ones only with ``retry_failed``; recordings of equal key run once."""
    rows = {path: _blank_row(path, status="not a recording", error=why) for path, why in found.skipped}
    todo: dict[str, list[Recording]] = {}
    for r in found.recordings:
        row = _blank_row(r.path, status="queued", source=r.source, athlete=r.athlete or "", recording_key=r.key)
        prev = before.get(r.key, {})
        if (out / "recordings" / r.key / "summary.json").is_file():
            row.update(status="done", seconds=prev.get("seconds", ""), worker=prev.get("worker", ""),
                       finished_at=prev.get("finished_at", ""))
        elif prev.get("status") == "failed" and not retry_failed:
            row.update({k: prev.get(k, "") for k in ("status", "error", "seconds", "worker", "finished_at")})
        else:
            todo.setdefault(r.key, []).append(r)
        rows[r.path] = row
    return rows, todo


def _run(out: Path, todo: dict[str, list[Recording]], rows: dict[Path, dict], sensor: dict,
         scheduler: str | None, n_workers: int | None, on_result) -> int:
    """Each key analysed once on the cluster; rows and status.csv updated as results arrive.
    Returns the number of workers."""
    from dask.distributed import as_completed

    cluster = _Cluster(scheduler, n_workers, out / "logs")
    try:
        workers = cluster.n_workers()
        futures = {}
        for key, recs in todo.items():
            r = recs[0]
            fut = cluster.client.submit(analyse_one, str(r.path), str(out / "recordings" / key), r.settings,
                                        r.source, sensor, key=f"runform-{key}", retries=0)
            futures[fut] = recs
        for fut in as_completed(futures):
            outcome = _outcome(fut)
            for r in futures[fut]:
                rows[r.path].update(status=outcome["status"], error=outcome["error"],
                                    seconds=round(outcome["seconds"], 2), worker=outcome["worker"],
                                    finished_at=_now())
                if on_result:
                    on_result(rows[r.path])
            _write_status(out, _ordered(rows))
            fut.release()
        return workers
    finally:
        cluster.close()


def _record(store, out: Path, found, status: list[dict]) -> None:
    """Every done recording as a session in the store (idempotent by key)."""
    from ..store.results import record_batch_result

    by_path = {str(r.path): r for r in found.recordings}
    for row in status:
        if row["status"] == "done":
            r = by_path[row["file"]]
            record_batch_result(store, file=row["file"], key=r.key, output_dir=out / "recordings" / r.key,
                                athlete=r.athlete, settings=r.settings, recorded_on=r.date)
    store.close()


def _outcome(fut) -> dict:
    """The task's own report, or why the cluster could not give one."""
    try:
        return fut.result()
    except Exception as e:
        from distributed.scheduler import KilledWorker

        if isinstance(e, KilledWorker):
            why = ("the workers analysing it died repeatedly (out of memory or killed); "
                   "try it alone with runform analyze")
        else:
            why = f"the cluster could not run it ({e.__class__.__name__}: {e})"
        return {"status": "error", "error": why, "seconds": 0.0, "worker": ""}
