"""The live page of `runform serve` in Debian's Chromium, its camera fed the bundled sample
(Chromium's fake capture device playing a .y4m the test makes), and the live socket's guards."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import cv2
import pytest
from conftest import SAMPLE, shared_dir, only_one
from playwright.sync_api import sync_playwright
from test_web import CHROMIUM, FLAGS, Client, Server, _look, _no_leaks

GOLDEN = json.loads((Path(__file__).parent / "golden/video_sample/summary.json").read_text())
FIGURES = ("cadence_spm", "ground_contact_ms", "trunk_lean_deg", "overstride_pct_leg", "knee_flexion_ic_deg")


@pytest.fixture(scope="module")
def sample_y4m(tmp_path_factory) -> Path:
    """The sample as raw frames for Chromium's fake camera (360x640, 30 fps, 4:2:0)."""
    from runform.sources.video.decode import iter_frames

    d = shared_dir(tmp_path_factory, "y4m")
    out = d / "sample.y4m"
    with only_one(d):
        if not out.is_file():
            part = d / "sample.y4m.part"
            with open(part, "wb") as f:
                for i, (_, rgb) in enumerate(iter_frames(SAMPLE)):
                    small = cv2.resize(rgb, (360, 640), interpolation=cv2.INTER_AREA)
                    if i == 0:
                        f.write(b"YUV4MPEG2 W360 H640 F30:1 Ip A1:1 C420jpeg\n")
                    f.write(b"FRAME\n" + cv2.cvtColor(small, cv2.COLOR_RGB2YUV_I420).tobytes())
            part.rename(out)
    return out


def _number(text: str | None) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def test_the_live_page_reads_the_camera_and_stores_the_run(tmp_path, sample_y4m):
    """Start: the set-up is checked and, 10 s after Start, the cadence shown is within 3 steps/min
    of the sample's offline figure (the first figures, from 3 strides, may be further off); the skeleton is drawn over the picture. Stop: the recording becomes
    a session of the athlete whose report's cadence is within 2 of it, and whose figures agree
    with the page's last ones within their uncertainties."""
    srv = Server(tmp_path / "data")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS + [
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={sample_y4m}", "--autoplay-policy=no-user-gesture-required"])
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            _look(page, srv.base + "/live", tmp_path / "shots")  # at a desk's and a phone's width
            _no_leaks(page, srv)
            page.set_viewport_size({"width": 1280, "height": 1000})
            page.goto(srv.base + "/live")
            page.fill("#name", "Ana")
            page.fill("#height", "1.75")
            page.fill("#speed", "3.0")
            started = time.time()
            page.click("#start")
            first, shown = None, None  # when a cadence first shows, and the one shown at 10 s
            while time.time() - started < 9.8:  # (the page's policy allows no evaluated strings)
                page.wait_for_timeout(200)
                shown = _number(page.text_content("#fig-cadence_spm"))
                first = first or (time.time() - started if shown is not None else None)
            offline = GOLDEN["metrics"]["cadence_spm"]["median"]
            assert first is not None and shown is not None and abs(shown - offline) <= 3, (first, shown, offline)
            checks = {li.get_attribute("data-check"): li.get_attribute("class") for li in page.query_selector_all("#checks li")}
            assert checks.get("body") == "ok" and checks.get("view") == "ok" and checks.get("rate") == "ok", checks
            drawn = page.evaluate("""() => { const c = document.getElementById('skeleton');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let n = 0; for (let i = 1; i < d.length; i += 4) if (d[i] > 150 && d[i + 3] > 0) n++; return n; }""")
            assert drawn > 200, drawn  # green skeleton pixels over the picture
            page.wait_for_timeout(max(0, 14_000 - 1000 * (time.time() - started)))  # a whole pass of the clip
            shown = {k: (_number(page.text_content(f"#fig-{k}")), _number(page.text_content(f"#unc-{k}")))
                     for k in FIGURES}
            page.click("#stop")
            page.wait_for_selector("#session-link", timeout=60_000)
            sid = int(page.get_attribute("#session-link", "href").rsplit("/", 1)[1])
            assert not errors, errors
            browser.close()
        client = Client(srv.base)
        assert client.wait(sid, timeout=300)["status"] == "done"
        status, text = client.get(f"/sessions/{sid}/files/summary.json")
        summary = json.loads(text)
        report = summary["metrics"]
        assert abs(report["cadence_spm"]["median"] - offline) <= 2, report["cadence_spm"]
        for k, (live, unc) in shown.items():
            assert abs(live - report[k]["median"]) <= math.hypot(unc, report[k]["uncertainty"]), (k, live, unc, report[k])
        status, athlete_page = client.get("/")
        assert "Ana" in athlete_page and summary["source"]["file"].startswith("live ")
        assert not any((srv.data / "incoming").iterdir())  # the recording moved to the session's upload
    finally:
        srv.stop()


def test_the_live_socket_opens_only_for_runform_s_own_page(tmp_path):
    """A socket from another site's page (its Origin), or without the cookies runform's page
    gets, is refused before any frame is taken; from runform's own page it opens."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    srv = Server(tmp_path / "data")
    try:
        client = Client(srv.base)
        cookies = "; ".join(f"{c.name}={c.value}" for c in client.jar)
        uri = srv.base.replace("http://", "ws://") + "/live/socket"
        for origin, cookie in (("http://evil.example", cookies), (srv.base, ""), ("null", cookies)):
            with pytest.raises(InvalidStatus):
                with connect(uri, origin=origin, additional_headers={"Cookie": cookie} if cookie else {}):
                    pass
        with connect(uri, origin=srv.base, additional_headers={"Cookie": cookies}) as ws:
            ws.send(json.dumps({"type": "start", "height": "7"}))  # a height no runner has
            answer = json.loads(ws.recv(timeout=30))
            assert answer["type"] == "error" and "Height 7.0 m is outside 1.0-2.3 m" in answer["message"], answer
    finally:
        srv.stop()


def test_a_phone_at_the_pelvis_streams_its_motion_to_the_live_page(tmp_path):
    """A minute of a real hip-worn accelerometer (ADEPT, 100 Hz, in g) played into the live page
    as the phone's DeviceMotion events (ten times faster than it was recorded: the page times
    the samples by the sensor's interval): the live cadence is within 2 steps/min of the offline
    analysis of the same minute, and at Stop the samples become a sensor session that reads the
    same cadence."""
    import gzip

    import numpy as np
    from conftest import SHARED, run_cli

    rows = np.loadtxt(gzip.open(SHARED / "imu/adept_outdoor_run/acc_running_left_hip.csv.gz", "rt"),
                      delimiter=",", skiprows=1, usecols=(1, 2, 3))[30000:36000]  # 300-360 s into the run
    excerpt = tmp_path / "minute.csv"
    np.savetxt(excerpt, np.column_stack([np.arange(len(rows)) / 100.0, rows]), delimiter=",",
               header="time_s,acc_x_g,acc_y_g,acc_z_g", comments="", fmt="%.5f")
    res = run_cli("analyze", str(excerpt), "--out", str(tmp_path / "offline"))
    assert res.returncode == 0, res.stderr
    offline = json.loads((tmp_path / "offline/summary.json").read_text())["metrics"]["cadence_spm"]["median"]
    srv = Server(tmp_path / "data")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page()
            page.goto(srv.base + "/live")
            page.fill("#name", "Bea")
            page.click("#start-sensor")
            page.wait_for_timeout(500)
            page.evaluate("""(rows) => new Promise((done) => {
                let i = 0;
                const tick = setInterval(() => {
                  for (let k = 0; k < 20 && i < rows.length; k++, i++) {
                    const [x, y, z] = rows[i];
                    window.dispatchEvent(new DeviceMotionEvent("devicemotion", {interval: 10,
                      accelerationIncludingGravity: {x: x * 9.80665, y: y * 9.80665, z: z * 9.80665}}));
                  }
                  if (i >= rows.length) { clearInterval(tick); done(); }
                }, 20);
            })""", rows.tolist())
            page.wait_for_timeout(3000)  # the last samples' update
            live = _number(page.text_content("#sensor-cadence_spm"))
            assert live is not None and abs(live - offline) <= 2, (live, offline)
            assert "60.0 s of motion" in page.text_content("#steps")
            page.click("#stop")
            page.wait_for_selector("#session-link", timeout=60_000)
            sid = int(page.get_attribute("#session-link", "href").rsplit("/", 1)[1])
            browser.close()
        client = Client(srv.base)
        assert client.wait(sid, timeout=300)["status"] == "done"
        stored = json.loads(client.get(f"/sessions/{sid}/files/summary.json")[1])
        assert stored["source"]["type"] == "imu" and abs(stored["metrics"]["cadence_spm"]["median"] - offline) <= 1
    finally:
        srv.stop()
