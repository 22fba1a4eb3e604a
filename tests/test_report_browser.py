"""report.html in a real headless Chromium: no console errors, and it shows summary.json's figures
(each median with its uncertainty)."""

import json

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page_errors(sample_analysis):
    errors, failed = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.goto((sample_analysis / "report.html").as_uri())
        page.wait_for_load_state("load")
        data = {
            "title": page.title(),
            "rows": page.eval_on_selector_all("tr[data-metric]", "els => els.map(e => [e.dataset.metric, e.dataset.median, e.children[1].textContent.trim()])"),
            "images": page.eval_on_selector_all("#key-frames img", "els => els.map(e => e.naturalWidth)"),
            "faults": page.eval_on_selector_all(".fault", "els => els.map(e => e.id)"),
            "svg": page.locator("#curves svg").count(),
            "external": page.eval_on_selector_all("[src^='http'], link[href^='http']", "els => els.length"),
        }
        browser.close()
    return errors, failed, data


def test_no_console_errors_and_offline(page_errors):
    errors, failed, data = page_errors
    assert errors == [] and failed == []
    assert data["external"] == 0  # self-contained: nothing fetched from the network


def test_report_shows_the_summary(page_errors, sample_analysis):
    _, _, data = page_errors
    s = json.loads((sample_analysis / "summary.json").read_text())
    shown = {name: [float(x) for x in text.split("±")] for name, _, text in data["rows"] if text}
    for name, m in s["metrics"].items():
        value, unc = shown[name]  # median ± uncertainty
        assert abs(value - m["median"]) <= 0.051 and abs(unc - m["uncertainty"]) <= 0.051, name
    assert sorted(data["faults"]) == sorted(f"fault-{f['id']}" for f in s["faults"])
    assert len(data["images"]) == 6 and all(w > 100 for w in data["images"])
    assert data["svg"] >= 4  # one chart per angle: knee, hip, ankle, trunk at least
