"""runform's speed and memory benchmark (not a test): ratios against a baseline measured in the same run.

    python benchmarks/bench_analyze.py [--repeats 2] [--skip-memory]

1. Speed, on the bundled sample (12 s, 720x1280, 30 fps): the wall time of
   ``runform analyze SAMPLE --no-video`` (every output but annotated.mp4,
   fresh output folder, so no pose cache) against the baseline
   ``baseline_pose_loop.py`` (decode every frame with OpenCV and run the same
   MediaPipe model in one loop, nothing else). Both run as fresh processes,
   alternately, ``--repeats`` times; the best time of each is compared.
2. Memory: a one-minute 1080p 60 fps video is made from the sample (each
   frame upscaled and shown twice, the 12 s looped five times); the peak
   memory of ``runform analyze`` summed over its process tree (parent and
   pose workers; proportional set size, so shared pages count once; sampled
   every 50 ms from /proc) is reported.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = Path(str(resources.files("runform.samples").joinpath("treadmill_side.mp4")))


def _tree_pss_mb(pid: int) -> float:
    """Proportional set size summed over the process tree: pages shared between the parent and
    its forked pose workers are counted once, not once per process (as summed RSS would)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total / 1024


def timed(cmd: list[str], memory: bool = False) -> tuple[float, float]:
    """(wall seconds, peak MB of the process tree, or 0 when not sampled). Speed runs are not
    sampled: reading /proc/*/smaps_rollup every 50 ms takes CPU that runform's two pose workers
    need (it slowed runform by about 1 s on the sample, and the one-core baseline not at all)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0.0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_pss_mb(proc.pid))
            time.sleep(0.05)

    th = threading.Thread(target=sample, daemon=True)
    if memory:
        th.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    if memory:
        th.join()
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    return wall, peak[0]


def make_long_1080p60(path: Path, seconds: int = 60) -> None:
    import av
    import cv2

    with av.open(str(SAMPLE)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    out = av.open(str(path), "w")
    s = out.add_stream("libx264", rate=60)
    s.width, s.height, s.pix_fmt = 1080, 1920, "yuv420p"
    s.options = {"preset": "ultrafast", "crf": "23"}
    n = 0
    while n < seconds * 60:
        for img in frames:
            big = cv2.resize(img, (1080, 1920), interpolation=cv2.INTER_LINEAR)
            frame = av.VideoFrame.from_ndarray(big, format="rgb24")
            for _ in range(2):
                for p in s.encode(frame):
                    out.mux(p)
                n += 1
            if n >= seconds * 60:
                break
    for p in s.encode():
        out.mux(p)
    out.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--skip-memory", action="store_true")
    a = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base_t, rf_t = [], []
        for i in range(a.repeats):
            base_t.append(timed([py, str(HERE / "baseline_pose_loop.py"), str(SAMPLE)])[0])
            rf_t.append(timed([py, "-m", "runform.cli", "analyze", str(SAMPLE), "--out", str(tmp / f"o{i}"),
                               "--no-video"])[0])
        cached = timed([py, "-m", "runform.cli", "analyze", str(SAMPLE), "--out", str(tmp / "o0"),
                        "--no-video", "--height", "1.8"])[0]
        b, r = min(base_t), min(rf_t)
        print("speed, bundled sample (12 s, 720x1280, 30 fps), best of", a.repeats)
        print(f"  baseline (OpenCV decode + MediaPipe loop)  {b:6.2f} s   runs: {', '.join(f'{x:.2f}' for x in base_t)}")
        print(f"  runform analyze --no-video                 {r:6.2f} s   runs: {', '.join(f'{x:.2f}' for x in rf_t)}")
        print(f"  ratio runform / baseline                   {r / b:6.2f}   (target <= 0.60)")
        print(f"  re-analysis with the pose cache            {cached:6.2f} s   ratio {cached / b:.2f}")
        if not a.skip_memory:
            long = tmp / "long_1080p60.mp4"
            t0 = time.perf_counter()
            make_long_1080p60(long)
            made = time.perf_counter() - t0
            wall, peak = timed([py, "-m", "runform.cli", "analyze", str(long), "--out", str(tmp / "long"),
                                "--no-video"], memory=True)
            print(f"memory, one-minute 1080p 60 fps video (3600 frames; made in {made:.0f} s)")
            print(f"  peak memory (PSS), process tree            {peak:6.0f} MB   (target <= 600 MB)")
            print(f"  wall time                                  {wall:6.1f} s")


if __name__ == "__main__":
    main()
