"""The output folder: written whole or not at all, and never at the cost of a user's file.

An analysis is written into a hidden partial folder beside its output folder
(``.<name>.partial-<hex>``) and moved into place in two renames once complete.
runform replaces an existing output folder only when everything in it is a
file runform wrote there itself: each finished folder carries a manifest
(``.runform-files.json``) of its files and their sizes. A folder holding
anything else (a coach's notes, the input video, a home folder) is refused
before any work starts, and again just before the swap; a file changed since
runform wrote it counts as the user's.

A partial folder holds a marker file that the running analysis keeps locked
(``flock``); the next run into the same place removes a partial folder whose
lock is free, which is what a killed run leaves, and never one still being
written.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import uuid
from pathlib import Path

from ..errors import OutputError, UsageError
from ..words import opt

MANIFEST = ".runform-files.json"
PARTIAL_MARK = ".runform-partial"
# what runform wrote before it kept a manifest: such a folder is still recognised as its own
MB = 1 << 20
SHOWN = 20  # the user's files named when a folder is refused (a home folder's thousands are counted)
# free space asked for before the work starts: a fixed margin, plus per input byte (the annotated
# video, re-encoded, measured at 0.6-1.1x the input's size) and per video frame (frames.csv and the
# pose cache: about 1.6 KB a frame on the sample)
SPACE_MARGIN_BYTES = 20 * MB
SPACE_PER_INPUT_BYTE = 1.5
SPACE_PER_FRAME_BYTES = 4096
_DISK_ERRNOS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
                errno.EROFS: "the drive is read-only", errno.EACCES: "permission is denied",
                errno.EPERM: "permission is denied"}


def _files(folder: Path) -> dict[str, int]:
    """Every file below ``folder`` (links included, not followed): relative path -> size."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            p = Path(root, name)
            out[p.relative_to(folder).as_posix()] = p.lstat().st_size
    return out


def foreign_entries(folder: Path) -> list[str]:
    """What in ``folder`` runform did not write there itself (empty: the folder is runform's)."""
    return [f"{rel} ({why})" if why else rel for rel, why in _foreign(folder).items()]


def _foreign(folder: Path) -> dict[str, str]:
    """The user's files in ``folder``: relative path -> why it counts as theirs ('' if not runform's)."""
    if not folder.is_dir():
        return {}
    found = _files(folder)
    try:
        owned = json.loads((folder / MANIFEST).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        owned = None
    if owned is None:  # a folder from before the manifest: runform's only if its content proves it
        if not _legacy_summary(folder / "summary.json"):
            return {rel: "" for rel in sorted(found)}
        return {rel: "" for rel in sorted(found) if not _legacy_file(folder, rel)}
    return {rel: ("" if rel not in owned else "changed since runform wrote it")
            for rel, size in sorted(found.items()) if rel != MANIFEST and owned.get(rel) != size}


def _legacy_summary(path: Path) -> bool:
    """Is this the summary.json of a runform analysis (not merely a file of that name)?"""
    try:
        s = json.loads(path.read_text())
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    return isinstance(s, dict) and isinstance(s.get("runform_version"), str) and isinstance(s.get("metrics"), dict)


def _legacy_file(folder: Path, rel: str) -> bool:
    """A file of a folder from before the manifest counts as runform's only when it has runform's
    name and begins as runform writes it (a user's own strides.csv or notes do not)."""
    start = _LEGACY_STARTS.get(rel)
    if rel.startswith("frames_") and rel.endswith(".csv"):  # a second view's frames
        start = _LEGACY_STARTS["frames.csv"]
    if rel.startswith(".cache/pose-") and rel.endswith(".npz"):
        start = lambda b: b.startswith(b"PK")  # noqa: E731 (an npz is a zip)
    if rel == "summary.json" or start is None:
        return rel == "summary.json"
    try:
        with open(folder / rel, "rb") as f:
            return bool(start(f.read(4096)))
    except OSError:
        return False


# how each of runform's own files begins
_LEGACY_STARTS = {
    "strides.csv": lambda b: b.startswith(b"stride_id,foot,"),
    "frames.csv": lambda b: b.startswith(b"time_s,"),
    "report.html": lambda b: b.lstrip().lower().startswith(b"<!doctype html") and b"runform" in b,
    "annotated.mp4": lambda b: b[4:8] == b"ftyp",
    "key_frames.jpg": lambda b: b.startswith(b"\xff\xd8"),
}


def _refuse_foreign(out_dir: Path, foreign: list[str]) -> None:
    shown = ", ".join(foreign[:SHOWN]) + (f" and {len(foreign) - SHOWN} more" if len(foreign) > SHOWN else "")
    raise UsageError(f"Output folder '{out_dir}' holds files runform did not write ({shown}); "
                     "runform will not overwrite them.",
                     f"Choose a new folder with {opt('out')} (runform creates it), or move those files elsewhere.")


def check_out_dir(out_dir: Path, inputs=(), needed_bytes: int = 0) -> Path:
    """Refuse, before any work, an output folder runform could not safely write or replace;
    return it as an absolute path."""
    out_dir = Path(out_dir).expanduser().absolute()
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"Output path '{out_dir}' is a file.", f"Give a folder with {opt('out')}.")
    here = Path.cwd().resolve()
    real = out_dir.resolve()
    if real == here or real in here.parents or real.parent == real:
        raise UsageError(f"'{out_dir}' is the folder you are in (or above it): runform writes its results "
                         "into a folder of their own, which a rerun replaces.",
                         f"Give a new folder name, e.g. {opt('out', 'my-run-results')}.")
    for p in inputs:
        if p is not None and (real == Path(p).resolve() or real in Path(p).resolve().parents):
            raise UsageError(f"The input '{Path(p).name}' is inside the output folder '{out_dir}', which a rerun "
                             "replaces.", "Give an output folder beside the recording, e.g. "
                             f"{opt('out', Path(p).parent / (Path(p).stem + '-runform'))}.")
    if out_dir.is_dir() and os.path.ismount(out_dir):
        raise UsageError(f"'{out_dir}' is the top folder of a drive; runform cannot replace it.",
                         f"Give a folder inside it, e.g. {opt('out', out_dir / 'run-results')}.")
    foreign = foreign_entries(out_dir)
    if foreign:
        _refuse_foreign(out_dir, foreign)
    _refuse_if_busy(out_dir)
    where = out_dir if out_dir.is_dir() else _existing_parent(out_dir)
    _check_writable(where, out_dir)
    _check_space(where, needed_bytes)
    return out_dir


def _existing_parent(p: Path) -> Path:
    p = p.parent
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _check_writable(where: Path, out_dir: Path) -> None:
    if os.statvfs(where).f_flag & os.ST_RDONLY:
        raise OutputError(f"The results cannot be written to '{out_dir}': the drive is read-only.",
                          f"Give a folder on a drive you can write to with {opt('out')}.")
    if not os.access(where, os.W_OK | os.X_OK):
        raise OutputError(f"The results cannot be written to '{out_dir}': permission is denied in '{where}'.",
                          f"Give a folder you can write to with {opt('out')}.")


def _check_space(where: Path, needed: int) -> None:
    free = shutil.disk_usage(where).free
    if needed and free < needed:
        raise OutputError(f"There is not enough free space in '{where}' for the results: "
                          f"{free / MB:.0f} MB free, about {needed / MB:.0f} MB needed.",
                          f"Free some space, or give another folder with {opt('out')} (add {opt('no-video')} to "
                          "need less).")


def space_needed(input_bytes: int, n_frames: int = 0, video: bool = False) -> int:
    """Free space to ask for before an analysis starts (see the constants above)."""
    return int(SPACE_MARGIN_BYTES + (SPACE_PER_INPUT_BYTE * input_bytes if video else input_bytes)
               + SPACE_PER_FRAME_BYTES * n_frames)


def disk_error(e: OSError, out_dir: Path) -> OutputError | None:
    """The user's situation behind a failed write (full disk, read-only, permission), or None."""
    why = _DISK_ERRNOS.get(e.errno)
    if why is None:
        return None
    return OutputError(f"The results could not be written to '{out_dir}': {why}.",
                       f"Free some space or give a folder you can write to with {opt('out')}.")


class PartialFolder:
    """The hidden folder an analysis is written into; ``commit()`` moves it into place.

    Use it as a context manager: leaving without ``commit()`` (an error, Ctrl-C)
    removes it. Its lock tells other runs it is still being written."""

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir.parent / f".{self.out_dir.name}.partial-{uuid.uuid4().hex[:8]}"
        self._lock = None

    def __enter__(self) -> "PartialFolder":
        # locked before it takes the name other runs look for, so none sees it unlocked
        staging = self.path.with_name(self.path.name.replace(".partial-", ".starting-"))
        try:
            self.out_dir.parent.mkdir(parents=True, exist_ok=True)
            with _held(self.out_dir.parent):  # one run at a time looks for others and takes its place
                remove_leftovers(self.out_dir.parent, self.out_dir.name)
                _refuse_if_busy(self.out_dir)
                staging.mkdir()
                self._lock = open(staging / PARTIAL_MARK, "w")
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                staging.rename(self.path)
        except OSError as e:
            self._cleanup()
            shutil.rmtree(staging, ignore_errors=True)
            raise disk_error(e, self.out_dir) or e from None
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._cleanup()
        if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
            err = disk_error(exc, self.out_dir)
            if err is not None:
                raise err from None

    def _cleanup(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        if self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)

    def commit(self) -> Path:
        """Write the manifest and swap the folder into place; returns where the results are.

        Should the output folder have gained a file of the user's since the checks, the results
        go to a new folder beside it (``<name>-2``, ...) and the user's folder is left untouched."""
        target = self.out_dir
        if foreign_entries(target):
            target = _free_sibling(target)
        (self.path / PARTIAL_MARK).unlink()
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
            target.rename(old)
            _keep_cached_poses(old, self.path)
        _write_manifest(self.path)
        self.path.rename(target)
        self._lock.close()
        self._lock = None
        if old is not None:
            remove_output(old)
        return target


class _held:
    """The folder's own lock (``flock`` on the directory), held for the moment a run checks for
    other runs into the same output and puts its partial folder there; it leaves no file behind."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self):
        self.fd = os.open(self.folder, os.O_RDONLY)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except OSError:  # a drive without locks (some network shares): the partial folders' own locks remain
            pass
        return self

    def __exit__(self, *exc) -> None:
        os.close(self.fd)  # closing releases the lock


def busy(out_dir: Path) -> bool:
    """Is another analysis writing into ``out_dir`` right now (its partial folder locked)?"""
    out_dir = Path(out_dir)
    return any(_locked_partial(p) for p in out_dir.parent.glob(f".{out_dir.name}.partial-*"))


def _refuse_if_busy(out_dir: Path) -> None:
    if busy(out_dir):
        raise UsageError(f"Another runform analysis is writing into '{out_dir}' right now; two at once would "
                         "leave only one of them.",
                         f"Wait for it to finish, or give this one another folder with {opt('out')}.")


def _free_sibling(out_dir: Path) -> Path:
    n = 2
    while (out_dir.parent / f"{out_dir.name}-{n}").exists():
        n += 1
    return out_dir.parent / f"{out_dir.name}-{n}"


def _keep_cached_poses(old: Path, new: Path) -> None:
    """Poses cached for other ranges of the clip move into the new folder."""
    cache = old / ".cache"
    if cache.is_dir():
        for f in cache.glob("pose-*.npz"):
            if not (new / ".cache" / f.name).exists():
                (new / ".cache").mkdir(exist_ok=True)
                shutil.move(str(f), new / ".cache" / f.name)


def _write_manifest(folder: Path) -> None:
    from .. import __version__

    files = {k: v for k, v in _files(folder).items() if k not in (MANIFEST, PARTIAL_MARK)}
    (folder / MANIFEST).write_text(json.dumps({"written_by": f"runform {__version__}", "files": files}, indent=1))


def remove_output(folder: Path) -> list[str]:
    """Delete a result folder runform wrote: its own files, then the folder and its empty
    subfolders. Anything else in it (a coach's notes, a file edited since) stays, and the folder
    with it. Returns what was kept."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    kept = _foreign(folder)
    for rel in _files(folder):
        if rel not in kept:
            (folder / rel).unlink()
    for root, dirs, _ in os.walk(folder, topdown=False):
        for d in dirs:
            p = Path(root, d)
            if not p.is_symlink() and not any(p.iterdir()):
                p.rmdir()
    if not any(folder.iterdir()):
        folder.rmdir()
    return sorted(kept)


def remove_leftovers(parent: Path, name: str = "*") -> int:
    """Remove the hidden folders that analyses into ``parent/<name>`` left when they were killed
    (``name='*'``: every output in ``parent``): a partial folder whose lock is free, and a replaced
    folder that holds only runform's files. Returns how many were removed."""
    removed = 0
    for p in Path(parent).glob(f".{name}.partial-*"):
        if _unlocked_partial(p):
            shutil.rmtree(p, ignore_errors=True)
            removed += 1
    for p in Path(parent).glob(f".{name}.old-*"):
        if p.is_dir() and not p.is_symlink() and not remove_output(p):
            removed += 1
    return removed


def _unlocked_partial(p: Path) -> bool:
    return _partial_lock(p) == "free"


def _locked_partial(p: Path) -> bool:
    return _partial_lock(p) == "held"


def _partial_lock(p: Path) -> str:
    """'held' (an analysis is writing it), 'free' (what a killed run left) or '' (not runform's)."""
    mark = p / PARTIAL_MARK
    if not mark.is_file() or p.is_symlink():
        return ""
    try:
        with open(mark) as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return "free"
    except OSError:
        return "held"
