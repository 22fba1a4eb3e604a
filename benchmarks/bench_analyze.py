"""runform's speed and memory benchmark (not a test): ratios against a baseline measured in the same run.

    python benchmarks/bench_analyze.py [--repeats 3] [--skip-memory]

1. Speed, on the bundled sample (12 s, 720x1280, 30 fps), each a fresh process,
   interleaved ``--repeats`` times, medians compared: the baseline
   ``baseline_pose_loop.py`` (decode every frame with OpenCV and run the same
   MediaPipe model in one loop, nothing else); ``runform analyze`` with every
   output (the annotated video included: the default); ``--no-video``; both
   with the pose store off (RUNFORM_POSE_CACHE=off), so each poses afresh.
2. Re-analysis from the pose store: the sample analysed again (other settings,
   another folder) with a store the first analysis filled.
3. Repeated pictures: a 240 fps copy of the sample (each frame shown 8 times)
   against the 30 fps sample, ``--no-video`` both, medians of ``--repeats``.
4. Memory: a one-minute 1080p 60 fps video is made from the sample (each
   frame upscaled and shown twice, the 12 s looped five times); the peak
   memory of ``runform analyze`` summed over its process tree (parent and
   pose workers; proportional set size, so shared pages count once; sampled
   every 50 ms from /proc) is reported.
"""

from __future__ import annotations

import argparse
import statistics
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


def timed(cmd: list[str], memory: bool = False, store: str = "off") -> tuple[float, float]:
    """(wall seconds, peak MB of the process tree, or 0 when not sampled). Speed runs are not
    sampled: reading /proc/*/smaps_rollup every 50 ms takes CPU that runform's two pose workers
    need (it slowed runform by about 1 s on the sample, and the one-core baseline not at all)."""
    t0 = time.perf_counter()
    env = {**os.environ, "RUNFORM_POSE_CACHE": store}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
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


def make_repeated_240(path: Path, times: int = 8) -> None:
    """The sample at 240 fps: each of its pictures shown ``times`` times (a phone's 30 fps
    pictures in a 240 fps file)."""
    import av

    with av.open(str(SAMPLE)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    out = av.open(str(path), "w")
    s = out.add_stream("libx264", rate=240)
    s.height, s.width = frames[0].shape[:2]
    s.pix_fmt, s.options = "yuv420p", {"preset": "ultrafast", "crf": "18"}
    for img in frames:
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        for _ in range(times):
            for p in s.encode(frame):
                out.mux(p)
    for p in s.encode():
        out.mux(p)
    out.close()


def _line(name: str, runs: list[float], base: float, target: str) -> str:
    med = statistics.median(runs)
    return (f"  {name:<42} {med:6.2f} s   ratio {med / base:5.2f}   (target {target})   "
            f"runs: {', '.join(f'{x:.2f}' for x in runs)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-memory", action="store_true")
    a = ap.parse_args()
    py = sys.executable
    analyze = [py, "-m", "runform.cli", "analyze"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rep = tmp / "sample_240fps.mp4"
        make_repeated_240(rep)
        runs = {k: [] for k in ("base", "default", "no_video", "rep240")}
        for i in range(a.repeats):  # interleaved: a slower spell of the machine hits every command alike
            runs["base"].append(timed([py, str(HERE / "baseline_pose_loop.py"), str(SAMPLE)])[0])
            runs["default"].append(timed([*analyze, str(SAMPLE), "--out", str(tmp / f"d{i}")])[0])
            runs["no_video"].append(timed([*analyze, str(SAMPLE), "--out", str(tmp / f"n{i}"), "--no-video"])[0])
            runs["rep240"].append(timed([*analyze, str(rep), "--out", str(tmp / f"r{i}"), "--no-video"])[0])
        store = str(tmp / "poses")
        timed([*analyze, str(SAMPLE), "--out", str(tmp / "fill"), "--no-video"], store=store)
        cached = [timed([*analyze, str(SAMPLE), "--out", str(tmp / f"c{i}"), "--no-video", "--height", "1.8"],
                        store=store)[0] for i in range(a.repeats)]
        b = statistics.median(runs["base"])
        print(f"speed, bundled sample (12 s, 720x1280, 30 fps), medians of {a.repeats} interleaved runs")
        print(f"  {'baseline (OpenCV decode + MediaPipe loop)':<42} {b:6.2f} s   "
              f"runs: {', '.join(f'{x:.2f}' for x in runs['base'])}")
        print(_line("runform analyze (annotated video too)", runs["default"], b, "<= 0.80"))
        print(_line("runform analyze --no-video", runs["no_video"], b, "<= 0.65"))
        print(_line("re-analysis from the pose store", cached, b, "<= 0.25"))
        n30 = statistics.median(runs["no_video"])
        print("repeated pictures: the sample at 240 fps (each picture 8 times), --no-video")
        print(f"  {'240 fps copy':<42} {statistics.median(runs['rep240']):6.2f} s   ratio to the 30 fps sample "
              f"{statistics.median(runs['rep240']) / n30:5.2f}   (target <= 1.20)   "
              f"runs: {', '.join(f'{x:.2f}' for x in runs['rep240'])}")
        if not a.skip_memory:
            long = tmp / "long_1080p60.mp4"
            t0 = time.perf_counter()
            make_long_1080p60(long)
            made = time.perf_counter() - t0
            wall, peak = timed([*analyze, str(long), "--out", str(tmp / "long"), "--no-video"], memory=True)
            print(f"memory, one-minute 1080p 60 fps video (3600 frames; made in {made:.0f} s)")
            print(f"  peak memory (PSS), process tree            {peak:6.0f} MB   (target <= 600 MB)")
            print(f"  wall time                                  {wall:6.1f} s")


if __name__ == "__main__":
    main()
