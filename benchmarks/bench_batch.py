"""runform batch throughput (not a test): two local workers against one, measured in one run.

    python benchmarks/bench_batch.py [--copies 16] [--repeats 1]

The bundled sample is copied N times as distinct files (the same frames, other
bytes, so the batch analyses each), then ``runform batch`` runs on them with
``--workers 1`` and with ``--workers 2``, each into a fresh folder, as fresh
processes, alternately. Throughput is recordings per minute of wall time,
including the local cluster's start; the target is a ratio of at least 1.8.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from media import remux_copy  # noqa: E402

SAMPLE = Path(str(resources.files("runform.samples").joinpath("treadmill_side.mp4")))


def run(videos: Path, out: Path, workers: int) -> float:
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "runform.cli", "batch", str(videos), "--out", str(out),
                          "--workers", str(workers)], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if res.returncode != 0 or "0 failed" not in res.stdout:
        raise SystemExit(f"batch failed ({res.returncode}):\n{res.stdout}\n{res.stderr[-2000:]}")
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=1)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        videos = tmp / "videos"
        videos.mkdir()
        for i in range(a.copies):
            remux_copy(SAMPLE, videos / f"runner{i:03d}.mp4", f"runner {i}")
        one, two = [], []
        for i in range(a.repeats):
            one.append(run(videos, tmp / f"one{i}", 1))
            two.append(run(videos, tmp / f"two{i}", 2))
        t1, t2 = min(one), min(two)
        n = a.copies
        print(f"runform batch on {n} copies of the bundled sample (12 s, 720x1280, 30 fps), best of {a.repeats}")
        print(f"  1 worker    {t1:6.1f} s   {n / t1 * 60:5.1f} recordings/min   runs: {', '.join(f'{x:.1f}' for x in one)}")
        print(f"  2 workers   {t2:6.1f} s   {n / t2 * 60:5.1f} recordings/min   runs: {', '.join(f'{x:.1f}' for x in two)}")
        print(f"  throughput ratio 2 / 1 workers   {t1 / t2:5.2f}   (target >= 1.80)")


if __name__ == "__main__":
    main()
