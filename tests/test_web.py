"""runform serve: the real app (uvicorn, its job processes, the store) driven over HTTP and in
Debian's Chromium with Playwright."""

from __future__ import annotations

import csv
import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import MOCAP_DIR, SAMPLE, SHARED
from playwright.sync_api import sync_playwright
from test_report_browser import CHROMIUM, FLAGS
from test_store import PG_URL, pg_url  # noqa: F401  (fixture)

IMU_SAMPLE = SHARED / "imu" / "alcantara_sacral" / "Sample_test_data.csv"


class Server:
    """`runform serve` in its own process group on a free loopback port."""

    def __init__(self, data: Path, *args: str, db: str | None = None, host: str = "127.0.0.1"):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.data, self.base = data, f"http://127.0.0.1:{self.port}"
        self.db = db or f"sqlite:///{data / 'runform.db'}"
        self.log = open(data.parent / f"serve-{self.port}.log", "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "runform.cli", "serve", "--host", host, "--port",
                                      str(self.port), "--data", str(data), "--db", self.db, *args],
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/", timeout=2)
                return
            except urllib.error.HTTPError:
                return  # up (and asking for a token)
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError((data.parent / f"serve-{self.port}.log").read_text())
                time.sleep(0.2)
        raise RuntimeError("runform serve did not start")

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)
        self.log.close()


class Client:
    """A browser-less client with its own cookies (urllib), for concurrent posts."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(base + "/").read()
        self.csrf = next(c.value for c in self.jar if c.name == "runform_csrf")

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def post(self, path: str, fields: dict | None = None) -> int:
        """A small form post from runform's own page (with its cross-site token); the final status."""
        from urllib.parse import urlencode

        req = urllib.request.Request(self.base + path, data=urlencode({"csrf": self.csrf, **(fields or {})}).encode(),
                                     method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with self.opener.open(req) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def declare_upload(self, size: int) -> tuple[int, str]:
        """An upload that declares ``size`` bytes and waits for the answer before sending any: a
        server that checks the declared size answers at once (sending the body after such an
        answer may meet a closed connection, which makes the plain upload's result a race)."""
        import http.client
        from urllib.parse import urlsplit

        probe = urllib.request.Request(self.base + "/upload")
        self.jar.add_cookie_header(probe)
        url = urlsplit(self.base)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        try:
            conn.putrequest("POST", f"/upload?csrf={self.csrf}")
            for k, v in {"Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(size),
                         "Cookie": probe.get_header("Cookie") or ""}.items():
                conn.putheader(k, v)
            conn.endheaders()
            r = conn.getresponse()
            return r.status, r.read().decode()
        finally:
            conn.close()

    def upload(self, file: Path, fields: dict, csrf: str | None = "auto", filename: str | None = None,
               headers: dict | None = None, files: dict | None = None) -> tuple[int, str]:
        boundary = uuid.uuid4().hex
        body = b""
        for k, v in fields.items():
            body += f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for field, (name, path) in {"file": (filename or file.name, file),
                                    **{k: (p.name, p) for k, p in (files or {}).items()}}.items():
            body += (f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        q = f"?csrf={self.csrf if csrf == 'auto' else csrf}" if csrf else ""
        req = urllib.request.Request(self.base + "/upload" + q, data=body, method="POST", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", **(headers or {})})
        try:
            with self.opener.open(req) as r:
                return r.status, r.geturl()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def wait(self, session_id: int, timeout: float = 300) -> dict:
        deadline = time.time() + timeout
        while time.time() < deadline:
            _, text = self.get(f"/api/sessions/{session_id}")
            s = json.loads(text)
            if s["status"] not in ("queued", "running"):
                return s
            time.sleep(0.5)
        raise AssertionError(f"session {session_id} still {s['status']} after {timeout} s")


def _session_id(url: str) -> int:
    return int(url.rstrip("/").rsplit("/", 1)[1])


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "data")
    yield srv
    srv.stop()


def test_upload_video_report_and_compare_in_the_browser(server):
    """The bundled sample uploaded twice through the page by the same athlete: the figures on the
    session page are summary.json's; the same run twice differs only within the noise."""
    evil = "Ana <script>window.__pwned = 1</script>"
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.base + "/")
        page.fill("#name", evil)
        page.fill("#height", "1.75")
        page.select_option("#sex", "f")
        page.fill("#speed", "3.0")
        page.set_input_files("input[name=file]", str(SAMPLE))
        page.click("#upload button[type=submit]")
        page.wait_for_url("**/sessions/*")
        first = _session_id(page.url)
        page.wait_for_selector("#report", timeout=300_000)
        summary = page.request.get(f"{server.base}/sessions/{first}/files/summary.json").json()
        report = page.frame_locator("#report")
        shown = report.locator("tr[data-metric]").evaluate_all(
            "els => els.map(e => [e.dataset.metric, e.children[1].childNodes[0].textContent.trim()])")
        assert len(shown) >= 20
        for name, text in shown:
            if text:
                assert abs(float(text) - summary["metrics"][name]["median"]) <= 0.051, name
        assert abs(summary["metrics"]["cadence_spm"]["median"] - 168.9) <= 2.0
        assert summary["settings"]["height_m"] == 1.75 and summary["settings"]["speed_mps"] == 3.0
        assert sorted(report.locator(".fault").evaluate_all("els => els.map(e => e.id)")) == \
            sorted(f"fault-{f['id']}" for f in summary["faults"])
        page.wait_for_function("document.querySelector('#annotated').readyState >= 1", timeout=30_000)
        assert page.eval_on_selector("#annotated", "v => v.duration") > 5
        assert summary["source"]["file"] == SAMPLE.name  # the uploaded name, not the stored one
        assert SAMPLE.name in report.locator("header").inner_text()
        labels = report.locator("tr[data-metric] td:first-child").evaluate_all("els => els.map(e => e.textContent)")
        assert "Cadence (steps/min)" in labels and not [t for t in labels if "_" in t]  # readable names
        cards = report.locator("#scorecard .card").evaluate_all("els => els.map(e => e.dataset.metric)")
        assert cards[:2] == ["trunk_lean_deg", "cadence_spm"]  # the key metrics first, at a glance
        assert report.locator("#scorecard .card.below[data-metric=knee_flexion_ic_deg]").count() == 1
        _plan_agrees(report, summary)
        # the report is shown whole in the page: one scrollbar, the page's
        page.wait_for_selector("#report.whole", timeout=10_000)
        inner = report.locator("html").evaluate("e => e.scrollHeight")
        assert abs(page.eval_on_selector("#report", "f => f.getBoundingClientRect().height") - inner) <= 8
        assert page.locator("#metrics, #scorecard").count() == 0  # not repeated above it
        _no_leaks(page, server)
        session_url = page.url
        for name in ("summary.json", "strides.csv", "annotated.mp4", "key_frames.jpg"):
            assert page.locator(f"#downloads a[href$='{name}']").count() == 1

        # the athlete's name is shown as text, never run
        page.click("a[href^='/athletes/']")
        assert page.inner_text("#athlete-name") == evil
        assert page.evaluate("typeof window.__pwned") == "undefined"
        athlete_url = page.url

        # the same run again for the same athlete, then the comparison
        page.goto(server.base + "/")
        page.select_option("#athlete_id", label=evil)
        page.set_input_files("input[name=file]", str(SAMPLE))
        page.click("#upload button[type=submit]")
        page.wait_for_url("**/sessions/*")
        page.wait_for_selector("#report", timeout=300_000)
        second = page.request.get(page.url + "/files/summary.json").json()
        assert second["settings"]["height_m"] == 1.75  # from the athlete
        page.goto(athlete_url)
        assert page.locator("#sessions tr[data-session]").count() == 2
        assert page.locator(".chart[data-metric=cadence_spm] svg circle").count() == 2
        page.click("#compare")
        verdicts = page.eval_on_selector_all("#comparison tr[data-metric] td.verdict", "els => els.map(e => e.textContent)")
        assert len(verdicts) >= 20 and set(verdicts) == {"within noise"}
        assert "sessions" in page.get_attribute(".chart[data-metric=cadence_spm] svg", "aria-label")  # a text alternative
        # before and after side by side: both sessions' key frames and annotated videos
        frames = page.locator("#compare-frames img")
        assert frames.count() == 2
        page.wait_for_function("[...document.querySelectorAll('#compare-frames img')].every(i => i.naturalWidth > 400)")
        assert page.locator("#compare-videos video").count() == 2
        _no_leaks(page, server)
        compare_url = page.url
        # a desk and a phone: nothing scrolls sideways; a skip link leads to the content
        for url in (server.base + "/", session_url, athlete_url, compare_url):
            _look(page, url, server.data.parent / "shots")
        browser.close()
    assert errors == []


def _plan_agrees(report, summary: dict) -> None:
    """The report's plan ranks the sure findings and merges their drills (each once), names the
    unsure ones with what to film, and every card whose figure decides a finding names it."""
    sure = [f for f in summary["faults"] if f["confidence_label"] in ("high", "medium")]
    unsure = [f for f in summary["faults"] if f not in sure]
    if summary["faults"]:
        plan = report.locator("#plan").inner_text()
        ranked = report.locator("#plan-steps li").all_inner_texts()
        assert [t.split(":", 1)[1].split(".")[0].strip() for t in ranked] == \
            [f["title"] for f in sorted(sure, key=lambda f: -f["confidence"])]
        drills = {d["id"] for f in sure for d in f["drills"]}
        assert report.locator("#plan-drills li").count() == len(drills)
        assert all(f["title"] in plan for f in unsure) and (not unsure or "Film like this" in plan)
    cards = dict(report.locator("#scorecard .card").evaluate_all("els => els.map(e => [e.dataset.metric, e.innerText])"))
    for f in summary["faults"]:
        for e in f["evidence"]:
            if e.get("metric") in cards:
                assert f"Decides: {f['title']}" in cards[e["metric"]], (f["id"], e["metric"])


LEAKS = (("a stored file name", r"\b[0-9a-f]{32}\.\w+"), ("a command-line option", r"(?<![\w-])--[a-z]"),
         ("a repository path", r"\b(docs|shared|seeds|src|tests)/"),
         ("an exception class", r"\b\w+(Error|Exception)\b"), ("an internal error", r"internal error"),
         ("a settings dump", r"\b[a-z]+_[a-z_]+="), ("an internal source label", r"no\. 0\d\d|rules started from"),
         ("a raw float", r"\d\.\d{5,}"), ("a pose model's setting", r"model_complexity"),
         ("a raw confidence or z", r"uncertainties away|confidence \w+ \(\d"))


def _no_leaks(page, server) -> None:
    """Nothing internal in the page's text or in the report it embeds."""
    import re

    texts = {"page": page.inner_text("body")}
    if page.locator("#report").count():
        texts["report"] = page.frame_locator("#report").locator("body").inner_text()
    for where, text in texts.items():
        for what, pattern in LEAKS:
            found = re.search(pattern, text)
            assert found is None, f"{what} in the {where} at {page.url}: {found.group(0)!r}"


def _look(page, url: str, shots: Path) -> None:
    """The page at a desk's and a phone's width: a screenshot of each, no sideways scroll, a skip link."""
    shots.mkdir(exist_ok=True)
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        page.wait_for_load_state("load")
        name = url.split("//", 1)[1].split("/", 1)[-1].replace("/", "_").replace("?", "_") or "home"
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 2, (url, width)
        assert page.locator("a.skip[href='#main']").count() == 1
        docs = {"page": page.main_frame}
        if page.locator("#report").count():
            page.wait_for_selector("#report.whole", timeout=10_000)
            docs["report"] = page.locator("#report").element_handle().content_frame()
        for where, frame in docs.items():
            over = frame.evaluate(FITS)
            assert over == {"wide": [], "cut_cells": []}, (url, width, where, over)


# Elements reaching past the right edge of their page (a strip that scrolls sideways on its own is
# allowed to hold wider content), and table cells that do: a column hidden off the screen.
FITS = """() => {
  const w = document.documentElement.clientWidth;
  const scrolls = e => { for (let a = e.parentElement; a; a = a.parentElement) {
    const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return a; } return null; };
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined ? '.' + e.className : '');
  const out = {wide: [], cut_cells: []};
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.right <= w + 1) continue;
    const strip = scrolls(e);
    if (e.matches('td, th')) out.cut_cells.push(name(e) + ': ' + e.textContent.trim().slice(0, 30));
    else if (!strip) out.wide.push(name(e));
  }
  out.wide = out.wide.slice(0, 6); out.cut_cells = out.cut_cells.slice(0, 6);
  return out;
}"""


def test_guards(tmp_path):
    srv = Server(tmp_path / "data", "--max-upload-mb", "1")
    try:
        c = Client(srv.base)
        assert c.upload(IMU_SAMPLE, {}, csrf=None)[0] == 403  # no cross-site token
        assert c.upload(IMU_SAMPLE, {}, csrf="forged")[0] == 403
        assert c.upload(IMU_SAMPLE, {}, headers={"Origin": "http://evil.example"})[0] == 403
        code, text = c.upload(_text_file(tmp_path), {}, filename="run.mp4")
        assert code == 400 and "not a recording runform reads" in text
        code, text = c.declare_upload(2 * 1024 * 1024)
        assert code == 413 and "limit of 1 MB" in text
        code, text = c.upload(IMU_SAMPLE, {"name": "Bo", "speed": "fast"})
        assert code == 400 and "Speed &#39;fast&#39; is not understood" in text
        assert "Bo</a>" not in c.get("/")[1]  # refused: no athlete was created
        code, url = c.upload(IMU_SAMPLE, {"name": "../../etc/passwd"}, filename="../../../evil.csv")
        assert code == 200 and "/sessions/" in url
        sid = _session_id(url)
        assert c.wait(sid)["status"] == "done"
        stored = list((srv.data / "uploads").iterdir())
        assert len(stored) == 1 and stored[0].suffix == ".csv" and "evil" not in stored[0].name
        # a recording runform reads but cannot analyse: the session fails and says why, in words
        short = tmp_path / "short.csv"
        short.write_text("".join(IMU_SAMPLE.read_text().splitlines(keepends=True)[:200]))
        failed = c.wait(_session_id(c.upload(short, {})[1]))
        assert failed["status"] == "failed" and "needs at least 3 s of running" in failed["error"]
        assert "Record a longer run" in failed["error"]
        refused = c.get(f"/sessions/{failed['id']}")[1]  # the same file would be refused again: no Retry
        assert 'id="retry"' not in refused and 'id="no-retry"' in refused
        assert failed["ahead"] == 0 and failed["stage"] is None
        # a message that names a setting says it in the app's words, never as a command-line option
        odd = tmp_path / "no_time.csv"  # a sensor's columns without a time column: the columns or rate settings
        odd.write_text("acc_x,acc_y,acc_z\n" + "".join(f"{i % 7 / 10},{1 + i % 5 / 10},{i % 3 / 10}\n" for i in range(3000)))
        named = c.wait(_session_id(c.upload(odd, {})[1]))
        assert named["status"] == "failed" and "command-line setting “rate HZ”" in named["error"], named["error"]
        assert "--" not in named["error"] and "⟦" not in named["error"]
        assert "--" not in c.get(f"/sessions/{named['id']}")[1].split("<main", 1)[1]
        assert c.get(f"/sessions/{sid}/files/..%2F..%2Fruntime.db")[0] == 404
        assert c.get(f"/sessions/{sid}/files/frames.csv")[0] == 200
        assert c.get(f"/sessions/{sid}/files/.cache")[0] == 404
        assert not list((srv.data / "incoming").iterdir())  # refused uploads leave nothing behind
        for address in ("/no-such-page", "/sessions/abc", "/sessions/999", "/athletes/999"):
            code, text = c.get(address)
            assert code == 404 and 'id="problem"' in text, address  # a page in words, not a traceback
    finally:
        srv.stop()

    token_srv = Server(tmp_path / "data2", "--token", "s3cret-token", host="0.0.0.0")
    try:
        assert _status(token_srv.base + "/") == 401
        assert _status(token_srv.base + "/api/sessions/1") == 401
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        assert opener.open(token_srv.base + "/?token=s3cret-token").status == 200
        assert opener.open(token_srv.base + "/").status == 200  # the token is kept in a cookie
        assert _status(token_srv.base + "/?token=wrong") == 401
    finally:
        token_srv.stop()
    log = (tmp_path / f"serve-{token_srv.port}.log").read_text()
    assert "?token=s3cret-token" in log


def _raw(base: str, method: str, path: str, headers: dict, body: bytes = b"") -> tuple[int, dict, str]:
    """One request with exactly these headers (urllib would set Host itself)."""
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in {**headers, "Content-Length": str(len(body))}.items():
            conn.putheader(k, v)
        conn.endheaders(body or None)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _chunked_upload(base: str, c: Client, megabytes: int) -> tuple[int | None, bool]:
    """A chunked upload (no declared size) that sends ``megabytes`` MB and then waits for an
    answer before sending the rest: (status, whether the server answered before the body ended).
    A server that spools the whole body first cannot answer then."""
    import http.client
    import select
    from urllib.parse import urlsplit

    url = urlsplit(base)
    probe = urllib.request.Request(base + "/upload")
    c.jar.add_cookie_header(probe)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    head = (b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n\x00\x00\x00\x18ftypmp42")
    chunk = os.urandom(1024 * 1024)
    try:
        conn.putrequest("POST", f"/upload?csrf={c.csrf}")
        for k, v in {"Content-Type": "multipart/form-data; boundary=x", "Transfer-Encoding": "chunked",
                     "Cookie": probe.get_header("Cookie") or ""}.items():
            conn.putheader(k, v)
        conn.endheaders()
        try:
            for part in [head] + [chunk] * megabytes:
                conn.send(b"%x\r\n%s\r\n" % (len(part), part))
        except (BrokenPipeError, ConnectionResetError):
            return None, True  # the server closed the connection on the body: it did not take it
        if not select.select([conn.sock], [], [], 10)[0]:
            return None, False  # no answer while the body is still open: it is waiting for all of it
        try:
            return conn.getresponse().status, True
        except (ConnectionResetError, http.client.HTTPException):
            return None, True
    finally:
        conn.close()


def test_holes_closed(tmp_path):
    """Issue 17's security findings, each failing before its fix: another site's name in Host
    (DNS rebinding) is refused, reads and deletes alike; a chunked upload stops at the limit
    while it streams; a small form's cross-site token in its body reaches the handler; numbers
    beyond the store's are 404; every page has a CSP and no-store, the report a sandbox."""
    srv = Server(tmp_path / "data", "--max-upload-mb", "1")
    try:
        c = Client(srv.base)
        host = f"127.0.0.1:{srv.port}"
        code, _, _ = _raw(srv.base, "GET", "/", {"Host": f"attacker.example:{srv.port}"})
        assert code == 421
        cookie = f"runform_csrf={c.csrf}"
        code, _, _ = _raw(srv.base, "POST", "/sessions/1/delete", {
            "Host": f"attacker.example:{srv.port}", "Origin": f"http://attacker.example:{srv.port}",
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, f"csrf={c.csrf}".encode())
        assert code == 421
        assert _raw(srv.base, "GET", "/", {"Host": f"localhost:{srv.port}"})[0] == 200
        # the athlete form carries its token as a field, as docs/web.md says
        code, headers, _ = _raw(srv.base, "POST", "/athletes", {
            "Host": host, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
            f"csrf={c.csrf}&name=Ada".encode())
        assert code == 303 and headers["location"].startswith("/athletes/"), (code, headers)
        assert "Ada</a>" in c.get("/")[1]
        status, early = _chunked_upload(srv.base, c, 8)  # 8 MB sent of a body that has not ended
        assert status in (413, None) and early, (status, early)
        assert not list((srv.data / "incoming").iterdir())
        for address in ("/sessions/99999999999999999999999", "/athletes/99999999999999999999999",
                        "/api/sessions/99999999999999999999999"):
            assert c.get(address)[0] == 404, address
        code, headers, _ = _raw(srv.base, "GET", "/", {"Host": host})
        assert "script-src 'self' 'nonce-" in headers["content-security-policy"]
        assert headers["cache-control"] == "no-store"
    finally:
        srv.stop()
    token_srv = Server(tmp_path / "data2", "--token", "s3cret-token", host="0.0.0.0")
    try:
        host = f"127.0.0.1:{token_srv.port}"
        assert _raw(token_srv.base, "GET", "/", {"Host": host, "Authorization": "s3cret-token"})[0] == 401
        assert _raw(token_srv.base, "GET", "/", {"Host": host, "Authorization": "Bearer s3cret-token"})[0] == 200
        code, headers, _ = _raw(token_srv.base, "GET", "/?token=s3cret-token", {"Host": host})
        assert code == 303 and "token" not in headers["location"]  # the token leaves the address bar
    finally:
        token_srv.stop()
    log = (tmp_path / f"serve-{token_srv.port}.log").read_text()
    assert "0.0.0.0" not in log and "without TLS" in log, log


def test_only_a_token_this_server_issued_counts(tmp_path):
    """A page on another port of 127.0.0.1 can plant its own runform_csrf cookie (cookies do not
    keep ports apart) and post through a redirect, which sends Origin: null: neither a planted
    token (with Origin null or none) nor a null Origin passes; a token with non-ASCII letters is
    refused (401/403), never a server error; the server's own page still works, after a restart."""
    srv = Server(tmp_path / "data")
    try:
        host = f"127.0.0.1:{srv.port}"
        planted = "planted-by-another-page"
        form = {"Host": host, "Cookie": f"runform_csrf={planted}", "Content-Type": "application/x-www-form-urlencoded"}
        body = f"csrf={planted}&name=Mallory".encode()
        assert _raw(srv.base, "POST", "/athletes", {**form, "Origin": "null"}, body)[0] == 403
        assert _raw(srv.base, "POST", "/athletes", form, body)[0] == 403
        c = Client(srv.base)
        own = {**form, "Cookie": f"runform_csrf={c.csrf}"}
        assert _raw(srv.base, "POST", "/athletes", {**own, "Origin": "null"}, f"csrf={c.csrf}&name=Mallory".encode())[0] == 403
        assert _raw(srv.base, "POST", "/athletes", {**own, "X-CSRF-Token": "é"}, b"name=Mallory")[0] == 403
        assert "Mallory" not in c.get("/")[1]
        assert c.post("/athletes", {"name": "Ada"}) == 200 and "Ada</a>" in c.get("/")[1]
    finally:
        srv.stop()
    again = Server(tmp_path / "data")  # the same data folder: the open page's token still counts
    try:
        c.base = again.base
        assert c.post("/athletes", {"name": "Bea"}) == 200 and "Bea</a>" in c.get("/")[1]
    finally:
        again.stop()
    token_srv = Server(tmp_path / "data2", "--token", "s3cret-token", host="0.0.0.0")
    try:
        host = f"127.0.0.1:{token_srv.port}"
        assert _raw(token_srv.base, "GET", "/?token=%C3%A9", {"Host": host})[0] == 401
        assert _raw(token_srv.base, "GET", "/", {"Host": host, "Authorization": "Bearer é"})[0] == 401
        assert _raw(token_srv.base, "GET", "/", {"Host": host, "Cookie": "runform_token=é"})[0] == 401
    finally:
        token_srv.stop()
    assert "Traceback" not in "".join(p.read_text() for p in tmp_path.glob("serve-*.log"))


def test_another_page_on_loopback_cannot_act_in_the_browser(tmp_path):
    """The attack as a browser makes it: the coach has runform open in Chromium; a page served on
    another port of 127.0.0.1 plants its own runform_csrf cookie (cookies do not keep ports apart)
    and submits a form through its own 307 redirect to runform (the browser then sends Origin:
    null), once with the planted token and once with none. Neither creates an athlete; the coach's
    own page still does."""
    import http.server
    import threading

    srv = Server(tmp_path / "data")
    target = f"{srv.base}/athletes"

    class Evil(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # the page: plant the cookie, then post the form to this server
            page = ("<!doctype html><script>document.cookie = 'runform_csrf=planted; path=/';</script>"
                    "<form id=f method=post action=/go><input name=csrf value=planted>"
                    "<input name=name value=Mallory></form><script>document.getElementById('f').submit();</script>")
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page.encode())

        def do_POST(self):  # the redirect that keeps the method and body and hides the origin
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(307)
            self.send_header("Location", target)
            self.end_headers()

        def log_message(self, *args):
            pass

    evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Evil)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page()
            page.goto(srv.base + "/")  # the coach's own page: runform's signed token in a cookie
            seen = []
            page.on("response", lambda r: seen.append(r.status) if r.url == target else None)
            page.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
            page.wait_for_load_state("load")
            page.wait_for_timeout(500)
            assert seen and all(code == 403 for code in seen), seen
            page.goto(srv.base + "/")
            assert "Mallory" not in page.inner_text("main")
            page.fill("#new-athlete input[name=name]", "Ada")  # the coach's own form still works
            page.click("#new-athlete button")
            assert page.inner_text("#athlete-name") == "Ada"
            browser.close()
    finally:
        evil.shutdown()
        srv.stop()


def test_a_lab_trial_gives_a_ranked_plan_in_the_browser(tmp_path):
    """A lab trial with a sure finding (Fukuchi's runner 41 lands on a straight knee, medium
    confidence): the session page's report puts it first in the plan with its drills, each once,
    at a desk's and a phone's width, with nothing internal shown."""
    trial = MOCAP_DIR / "fukuchi_rbds" / "RBDS0041runT252.txt"
    srv = Server(tmp_path / "data")
    try:
        c = Client(srv.base)
        sid = _session_id(c.upload(trial, {"name": "Runner 41"}, files={
            "static": trial.with_name("RBDS0041static.txt"), "forces": trial.with_name("RBDS0041runT252forces.txt")})[1])
        assert c.wait(sid)["status"] == "done"
        summary = json.loads(c.get(f"/sessions/{sid}/files/summary.json")[1])
        assert [f["confidence_label"] for f in summary["faults"]] == ["medium"]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page()
            page.goto(f"{srv.base}/sessions/{sid}")
            page.wait_for_selector("#report.whole", timeout=10_000)
            report = page.frame_locator("#report")
            _plan_agrees(report, summary)
            first = report.locator("#plan-steps li").first.inner_text()
            assert first.startswith("Work on first: " + summary["faults"][0]["title"])
            assert "(finding: below 10 deg)" in first  # the figure that decides it, beside it
            assert report.locator("#plan-drills li").count() == len(summary["faults"][0]["drills"])
            _no_leaks(page, srv)
            _look(page, f"{srv.base}/sessions/{sid}", tmp_path / "shots")
            browser.close()
    finally:
        srv.stop()


def test_sessions_stored_before_the_uncertainties_get_them_back(tmp_path):
    """A session stored when the metrics kept no uncertainty (so comparisons fell back on the
    stride sampling and trends had no error bars) gets them from its own summary.json when the
    server starts."""
    from runform.app.store.db import Store
    from runform.app.store.models import RunSession

    srv = Server(tmp_path / "data")
    try:
        c = Client(srv.base)
        sid = _session_id(c.upload(IMU_SAMPLE, {"name": "Old"})[1])
        assert c.wait(sid)["status"] == "done"
    finally:
        srv.stop()
    store = Store(srv.db)
    with store.session.begin() as db:  # as a session of an earlier runform stored it
        row = db.get(RunSession, sid)
        row.metrics = {k: {f: v for f, v in m.items() if not f.startswith("uncertainty")} for k, m in row.metrics.items()}
    again = Server(tmp_path / "data")
    try:
        with store.session() as db:
            metrics = db.get(RunSession, sid).metrics
        assert metrics["cadence_spm"]["uncertainty_unshared"] is not None and metrics["cadence_spm"]["uncertainty"] > 0
        c = Client(again.base)
        with store.session() as db:
            athlete_id = db.get(RunSession, sid).athlete_id
        page = c.get(f"/athletes/{athlete_id}")[1]
        assert 'stroke-opacity="0.6"' in page  # the trends' error bars
    finally:
        again.stop()
        store.close()


def test_a_coach_keeps_athletes_notes_and_retries(tmp_path):
    """Athletes without an upload, edited with notes; a session's notes; a failed session analysed
    again from its stored upload; an athlete deleted with every session and only runform's files."""
    from runform.app.store.db import Store
    from runform.app.store.models import RunSession

    srv = Server(tmp_path / "data")
    try:
        c = Client(srv.base)
        assert c.post("/athletes", {"name": "Ada", "height": "1.68"}) == 200  # the athlete's page, after 303
        home = c.get("/")[1]
        aid = int(home.split('href="/athletes/')[1].split('"')[0])
        assert c.post(f"/athletes/{aid}/edit", {"name": "Ada L.", "height": "1.70", "sex": "f",
                                                "notes": "Left knee <sore>\nafter races"}) == 200
        page = c.get(f"/athletes/{aid}")[1]
        assert "Ada L." in page and "Left knee &lt;sore&gt;" in page and "1.70 m" in page
        assert f'href="/?athlete={aid}#upload"' in page
        assert f'<option value="{aid}" selected>' in c.get(f"/?athlete={aid}")[1]
        assert c.post(f"/athletes/{aid}/edit", {"name": "Ada", "height": "7"}) == 400  # impossible height
        sid = _session_id(c.upload(IMU_SAMPLE, {"athlete_id": str(aid)})[1])
        url = f"/sessions/{sid}"
        assert c.wait(sid)["status"] == "done"
        assert c.post(f"/sessions/{sid}/notes", {"notes": "new shoes"}) == 200 and "new shoes" in c.get(url)[1]
        assert c.post(f"/sessions/{sid}/retry") == 409  # a finished session is not analysed again
        store = Store(srv.db)  # the analysis process died (as when the machine ran out of memory)
        with store.session.begin() as db:
            row = db.get(RunSession, sid)
            row.status, row.error, out = "failed", "The analysis stopped before its end.", Path(row.output_dir)
        store.close()
        assert 'id="retry"' in c.get(url)[1]
        assert c.post(f"/sessions/{sid}/retry") == 200 and c.wait(sid)["status"] == "done"
        import io
        import zipfile

        with c.opener.open(srv.base + f"/athletes/{aid}/export.zip") as r:
            z = zipfile.ZipFile(io.BytesIO(r.read()))
        names = set(z.namelist())
        assert {"sessions.csv", "sessions.json", f"session-{sid}/summary.json", f"session-{sid}/report.html"} <= names
        exported = json.loads(z.read("sessions.json"))
        assert exported["athlete"]["notes"].startswith("Left knee") and exported["sessions"][0]["notes"] == "new shoes"
        assert "cadence_spm" in z.read("sessions.csv").decode().splitlines()[0]
        # a note a spreadsheet would run as a formula is exported as text
        assert c.post(f"/sessions/{sid}/notes", {"notes": '=HYPERLINK("http://x.example","open")'}) == 200
        with c.opener.open(srv.base + f"/athletes/{aid}/export.zip") as r:
            rows = list(csv.DictReader(io.StringIO(zipfile.ZipFile(io.BytesIO(r.read())).read("sessions.csv").decode())))
        assert rows[0]["notes"] == '\'=HYPERLINK("http://x.example","open")', rows[0]
        assert float(rows[0]["cadence_spm"]) > 0  # numbers stay numbers
        # a lab trial with its force file and static trial, as --forces and --static give them
        fk = SHARED / "mocap" / "fukuchi_rbds"
        lab = c.wait(_session_id(c.upload(fk / "RBDS001runT25markers.txt", {"athlete_id": str(aid)}, files={
            "forces": fk / "RBDS001runT25forces.txt", "static": fk / "RBDS001static.txt"})[1]))
        assert lab["status"] == "done", lab
        with c.opener.open(srv.base + f"/sessions/{lab['id']}/files/summary.json") as r:
            lab_summary = json.loads(r.read())
        assert lab_summary["scene"]["events_source"].startswith("force"), lab_summary["scene"]
        assert lab_summary["source"]["static"] and lab_summary["source"]["forces"]
        code, text = c.upload(IMU_SAMPLE, {}, files={"static": fk / "RBDS001static.txt"})
        assert code == 400 and "goes with a lab trial" in text
        stored = list((srv.data / "uploads").iterdir())
        assert len(stored) == 4  # the sensor upload, the lab trial and its two companions
        mine = tmp_path / "data" / "my-notes.txt"  # a file of the user's in the data folder stays
        mine.write_text("keep me")
        assert c.post(f"/athletes/{aid}/delete") == 200
        assert c.get(f"/athletes/{aid}")[0] == 404 and c.get(url)[0] == 404
        assert not out.exists() and not any(p.exists() for p in stored) and mine.read_text() == "keep me"
    finally:
        srv.stop()


def test_a_coach_works_through_the_app_in_the_browser(tmp_path):
    """Each workflow clicked through in Chromium: an upload with no athlete given one afterwards,
    an athlete created, edited with notes, a session's notes, a failed session retried, the
    export downloaded, the athlete deleted; every page at a desk's and a phone's width with no
    sideways scroll, nothing internal shown and no console error."""
    from runform.app.store.db import Store
    from runform.app.store.models import RunSession

    srv = Server(tmp_path / "data")
    errors, shots = [], tmp_path / "shots"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(accept_downloads=True)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: d.accept())  # the delete confirmations
            page.goto(srv.base + "/")
            page.set_input_files("input[name=file]", str(IMU_SAMPLE))  # no athlete chosen or named
            page.click("#upload button[type=submit]")
            page.wait_for_selector("#report", timeout=120_000)
            orphan_url = page.url
            _look(page, orphan_url, shots)
            _no_leaks(page, srv)
            assert page.frame_locator("#report").locator("#curves").count() == 0  # no gyroscope, no empty box
            page.fill("#assign-athlete input[name=name]", "Bo")
            page.click("#assign-athlete button")
            page.click("a[href^='/athletes/']")
            assert page.inner_text("#athlete-name") == "Bo" and page.locator("#sessions tr[data-session]").count() == 1
            page.goto(srv.base + "/")
            page.fill("#new-athlete input[name=name]", "Cy")
            page.fill("#new-athlete input[name=height]", "1.80")
            page.click("#new-athlete button")
            assert page.inner_text("#athlete-name") == "Cy" and "1.80 m" in page.inner_text("main")
            page.click("details summary")
            page.fill("#edit-athlete input[name=name]", "Cy D.")
            page.fill("#edit-athlete textarea[name=notes]", "Achilles <tight>")
            page.click("#edit-athlete button")
            assert page.inner_text("#athlete-name") == "Cy D." and page.inner_text("#athlete-notes") == "Achilles <tight>"
            athlete_url = page.url
            page.click("#new-session")
            page.set_input_files("input[name=file]", str(IMU_SAMPLE))
            page.click("#upload button[type=submit]")
            page.wait_for_selector("#report", timeout=120_000)
            session_url, sid = page.url, _session_id(page.url)
            page.fill("#session-notes textarea", "trail shoes")
            page.click("#session-notes button")
            assert page.input_value("#session-notes textarea") == "trail shoes"
            store = Store(srv.db)  # the analysis process died (as when the machine ran out of memory)
            with store.session.begin() as db:
                row = db.get(RunSession, sid)
                row.status, row.error = "failed", "The analysis stopped before its end."
            store.close()
            page.goto(session_url)
            _look(page, session_url, shots)
            page.click("#retry")
            page.wait_for_selector("#report", timeout=120_000)
            page.goto(athlete_url)
            with page.expect_download() as dl:
                page.click("#export")
            import zipfile

            names = zipfile.ZipFile(dl.value.path()).namelist()
            assert f"session-{sid}/report.html" in names and "sessions.json" in names
            _look(page, athlete_url, shots)
            _no_leaks(page, srv)
            page.click("details summary")
            page.click("#delete-athlete button")
            page.wait_for_url(srv.base + "/")
            assert "Cy D." not in page.inner_text("main") and "Bo" in page.inner_text("main")
            _look(page, srv.base + "/", shots)
            browser.close()
    finally:
        srv.stop()
    assert errors == []
    assert len(list(shots.glob("*.png"))) == 8


def _text_file(tmp_path: Path) -> Path:
    p = tmp_path / "notes.txt"
    p.write_text("these are my running notes, not a recording\n" * 10)
    return p


def _status(url: str) -> int:
    try:
        return urllib.request.urlopen(url).status
    except urllib.error.HTTPError as e:
        return e.code


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_uploads_restart_and_delete(tmp_path, backend, request, real_pose):
    """Several uploads at once end as that many sessions, each done once; a server killed during an
    analysis fails that session with the reason on restart and finishes the queue; deleting a
    session deletes its files."""
    db = request.getfixturevalue("pg_url") if backend == "postgresql" else None
    data = tmp_path / "data"
    srv = Server(data, db=db)
    try:
        c = Client(srv.base)
        with ThreadPoolExecutor(6) as ex:
            results = list(ex.map(lambda i: c.upload(IMU_SAMPLE, {"name": f"runner {i % 3}"}), range(6)))
        assert all(code == 200 for code, _ in results), results
        ids = sorted(_session_id(url) for _, url in results)
        assert len(set(ids)) == 6
        assert [c.wait(i)["status"] for i in ids] == ["done"] * 6
        home = c.get("/")[1]
        assert home.count("data-session=") == 6
        assert len(list((data / "sessions").iterdir())) == 6

        # a video is analysing, two sensor files wait behind it: kill the whole server
        code, url = c.upload(SAMPLE, {"name": "video runner"})
        video = _session_id(url)
        queued = [_session_id(c.upload(IMU_SAMPLE, {})[1]) for _ in range(2)]
        deadline = time.time() + 60
        while json.loads(c.get(f"/api/sessions/{video}")[1])["progress"] < 0.1 and time.time() < deadline:
            time.sleep(0.3)
        srv.stop(signal.SIGKILL)
    finally:
        srv.stop()

    srv = Server(data, db=db)
    try:
        c = Client(srv.base)
        s = c.wait(video)
        assert s["status"] == "failed" and "server stopped" in s["error"]
        assert [c.wait(i)["status"] for i in queued] == ["done", "done"]
        assert not [p for p in (data / "sessions").iterdir() if p.name.startswith(".")]  # no half-written output

        # cancel a video mid-analysis: it stops, leaves no output, and the next job runs
        video2 = _session_id(c.upload(SAMPLE, {})[1])
        after = _session_id(c.upload(IMU_SAMPLE, {})[1])
        deadline = time.time() + 60
        while json.loads(c.get(f"/api/sessions/{video2}")[1])["progress"] < 0.1 and time.time() < deadline:
            time.sleep(0.3)
        c.post(f"/sessions/{video2}/cancel")
        assert c.wait(video2)["status"] == "cancelled"
        assert c.wait(after)["status"] == "done"
        assert not (data / "sessions" / str(video2)).exists()

        # delete one: its upload and outputs go
        page = c.get(f"/sessions/{ids[0]}")[1]
        assert "Delete session" in page
        before_uploads = len(list((data / "uploads").iterdir()))
        assert c.post(f"/sessions/{ids[0]}/delete") == 200
        assert c.get(f"/sessions/{ids[0]}")[0] == 404
        assert not (data / "sessions" / str(ids[0])).exists()
        assert len(list((data / "uploads").iterdir())) == before_uploads - 1
    finally:
        srv.stop()


def test_comparison_marks_changes_beyond_stride_noise():
    from runform.app.web.trends import compare

    a = {"cadence_spm": {"median": 160.0, "sd": 3.0, "n": 30, "unit": "steps/min"},
         "trunk_lean_deg": {"median": 8.0, "sd": 2.0, "n": 30, "unit": "deg"},
         "overstride_pct_leg": {"median": 12.0, "sd": None, "n": 30}}
    b = {"cadence_spm": {"median": 170.0, "sd": 3.0, "n": 30, "unit": "steps/min"},
         "trunk_lean_deg": {"median": 8.5, "sd": 2.0, "n": 30, "unit": "deg"},
         "overstride_pct_leg": {"median": 9.0, "sd": 2.0, "n": 30}}
    rows = {r["metric"]: r for r in compare(a, b)}
    # cadence: +10 against 1.96 * sqrt(9/30 + 9/30) = 1.52; lean: +0.5 against 1.01
    assert rows["cadence_spm"]["verdict"] == "beyond noise" and abs(rows["cadence_spm"]["limit"] - 1.518) < 0.01
    assert rows["trunk_lean_deg"]["verdict"] == "within noise"
    assert rows["overstride_pct_leg"]["verdict"] == "unknown"  # no spread for one session: not judged
    # the changes that count first, then the key metrics in the knowledge base's order
    assert [r["metric"] for r in compare(a, b)] == ["cadence_spm", "trunk_lean_deg", "overstride_pct_leg"]
    b["trunk_lean_deg"]["median"] = 12.0
    assert [r["metric"] for r in compare(a, b)][:2] == ["trunk_lean_deg", "cadence_spm"]
    # with each session's unshared measurement uncertainty: 1.96 * hypot(3, 4) = 9.8 decides, not the sampling
    a["cadence_spm"]["uncertainty_unshared"], b["cadence_spm"]["uncertainty_unshared"] = 3.0, 4.0
    assert {r["metric"]: r for r in compare(a, b)}["cadence_spm"]["limit"] == pytest.approx(9.8)
    b["cadence_spm"]["median"] = 169.0
    assert {r["metric"]: r for r in compare(a, b)}["cadence_spm"]["verdict"] == "within noise"
    # better or worse by the reference range: trunk lean 8 -> 12 stays within 3-15; knee at landing 12 -> 18
    # moves into 15-25; overstride 12 -> 30 % leg goes beyond 25
    from runform.app.web.trends import direction

    assert direction(8.0, 12.0, {"low": 3, "high": 15}) == ""
    assert direction(12.0, 18.0, {"low": 15, "high": 25}) == "better"
    assert direction(12.0, 30.0, {"high": 25}) == "worse" and direction(30.0, 26.0, {"high": 25}) == "better"
    assert direction(5.0, 9.0, {"note": "no range"}) == "" and direction(5.0, 9.0, None) == ""


def _back_view_zip(tmp_path: Path) -> Path:
    """A lab trial filmed from behind by the virtual camera, as a zip of OpenPose files."""
    import shutil

    from runform.validation.frontal_accuracy import filmed
    from runform.validation.testbed import load_trials

    tr = next(t for t in load_trials(SHARED / "mocap") if t.name == "hamner2013/subject01/3ms")
    filmed(tr, "back", 60.0, tmp_path / "back")
    return Path(shutil.make_archive(str(tmp_path / "back_view"), "zip", tmp_path / "back"))


def test_front_back_and_two_view_uploads(tmp_path):
    """A back view (OpenPose keypoints of a lab trial's virtual camera, zipped) gives a frontal
    report; a second view beside a sensor recording is refused; a keypoints zip needs its rate."""
    back_zip = _back_view_zip(tmp_path)
    srv = Server(tmp_path / "data")
    try:
        c = Client(srv.base)
        code, text = c.upload(back_zip, {"name": "Bea"})
        assert code == 400 and "frame rate" in text  # a keypoints zip needs its video's rate
        assert not list((srv.data / "uploads").iterdir()) and not list((srv.data / "incoming").iterdir())
        frontal = c.wait(_session_id(c.upload(back_zip, {"name": "Bea", "fps": "60", "height": "1.86"})[1]))
        assert frontal["status"] == "done", frontal
        with c.opener.open(srv.base + f"/sessions/{frontal['id']}/files/summary.json") as r:
            s = json.loads(r.read())
        assert s["scene"]["view"] == "back" and "pelvic_drop_deg" in s["metrics"]
        with c.opener.open(srv.base + f"/sessions/{frontal['id']}/files/report.html") as r:
            assert "Back view" in r.read().decode()
        code, text = c.upload(IMU_SAMPLE, {}, files={"second": back_zip})
        assert code == 400 and "second view goes with a video" in text
    finally:
        srv.stop()


def test_a_side_clip_and_its_back_view_uploaded_in_the_browser(tmp_path):
    """Two clips of one run in one upload, clicked through in Chromium: one report of both."""
    back_zip = _back_view_zip(tmp_path)
    srv = Server(tmp_path / "data")
    errors, shots = [], tmp_path / "shots"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(srv.base + "/")
            page.set_input_files("input[name=file]", str(SAMPLE))
            page.click("#upload details:has(#second) summary")
            page.set_input_files("#second", str(back_zip))
            page.fill("#fps", "60")
            page.fill("#upload input[name=name]", "Cy")
            page.click("#upload button[type=submit]")
            page.wait_for_selector("#report", timeout=300_000)
            report = page.frame_locator("#report")
            assert "Two views of one run" in report.locator("#views").inner_text()
            assert "back view" in report.locator("#metrics").inner_text()
            assert report.locator("#key-frames img").count() == 12  # 6 from each clip
            _look(page, page.url, shots)
            _no_leaks(page, srv)
            browser.close()
    finally:
        srv.stop()
    assert errors == []
