"""runform live's speed benchmark (not a test): latency and the frame rate it sustains, against
a baseline measured in the same run.

    python benchmarks/bench_live.py [--repeats 3]

The baseline is ``baseline_pose_loop.py`` (decode every frame with OpenCV and run the same
MediaPipe model in one loop, nothing else): its frames a second are what one core can pose at
all. Then ``runform live --source <the bundled sample> --realtime --json`` (12 s, 30 fps, played
at its own speed), ``--repeats`` times: per run the frames posed a second, the frames dropped to
keep up, the latency of each update (``wall_s - t_s``: seconds from the newest frame's time on
the clip to the update's print), the time of the first update and the run's wall time against
the clip's 12 s, and the longest time between two updates. Medians over the runs are printed, with the sustained rate as a ratio of the
clip's 30 fps and of the baseline's rate.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = Path(str(resources.files("runform.samples").joinpath("treadmill_side.mp4")))
CLIP_S, CLIP_FPS = 12.0, 30.0


def baseline_fps() -> float:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, str(HERE / "baseline_pose_loop.py"), str(SAMPLE)], capture_output=True,
                         text=True, check=True)
    return int(out.stdout.split()[-1]) / (time.perf_counter() - t0)


def live_run() -> dict:
    res = subprocess.run([sys.executable, "-m", "runform.cli", "live", "--source", str(SAMPLE), "--realtime", "--json"],
                         capture_output=True, text=True, check=True)
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    *updates, totals = lines
    lat = sorted(u["wall_s"] - u["t_s"] for u in updates)
    return {"fps": totals["effective_fps"], "dropped": totals["dropped_frames"],
            "latency_median": statistics.median(lat), "latency_p95": lat[int(0.95 * (len(lat) - 1))],
            "latency_max": lat[-1], "first_update_s": updates[0]["wall_s"], "wall_s": totals["wall_s"],
            "updates_per_s": len(updates) / max(1e-9, updates[-1]["t_s"] - updates[0]["t_s"]),
            "longest_gap_s": max(b["wall_s"] - a["wall_s"] for a, b in zip(updates, updates[1:]))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    base, runs = [], []
    for _ in range(args.repeats):  # interleaved, so that a busy moment hits both alike
        base.append(baseline_fps())
        runs.append(live_run())
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    b = statistics.median(base)
    print(f"baseline pose loop: {b:.1f} frames/s (one core, nothing else)")
    print(f"runform live --realtime on the {CLIP_S:g} s, {CLIP_FPS:g} fps sample (medians of {args.repeats}):")
    print(f"  sustained {med['fps']:.1f} frames/s = {med['fps'] / CLIP_FPS:.2f}x the clip's rate, "
          f"{med['fps'] / b:.2f}x the baseline's; {med['dropped']:g} frames dropped")
    print(f"  latency median {med['latency_median']:.3f} s, p95 {med['latency_p95']:.3f} s, max {med['latency_max']:.3f} s")
    print(f"  first update at {med['first_update_s']:.2f} s, {med['updates_per_s']:.2f} updates/s, the longest "
          f"gap between updates {med['longest_gap_s']:.2f} s (target: at least one a second), "
          f"run over at {med['wall_s']:.2f} s ({med['wall_s'] / CLIP_S:.3f}x the clip)")


if __name__ == "__main__":
    main()
