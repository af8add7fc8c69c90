"""The HTML report in a real headless Chromium: filter, sort, expanded failures, screenshot.

Needs Debian's `chromium` + `chromium-driver` (.ci/install-browser.sh installs them) and selenium;
skips with a message saying what is missing otherwise.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from respcheck.report import build, matrix, write_all, write_matrix

from .records import CATALOGUE, baseline_results, faulted_results, make_run

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("Debian chromium + chromium-driver not installed (run .ci/install-browser.sh)")
    os.environ.setdefault("SE_AVOID_STATS", "true")
    profile = tempfile.mkdtemp(prefix="respcheck-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    report = build(make_run(run_id="faulted", mode="reference"), faulted_results(), CATALOGUE)
    return write_all(report, tmp_path_factory.mktemp("report"))["html"]


def _visible_ids(driver) -> list[str]:
    return [tr.get_attribute("data-id") for tr in driver.find_elements(By.CSS_SELECTOR, "#behaviours tbody tr") if tr.is_displayed()]


def test_report_page_filters_sorts_and_expands_failures(browser, report_page):
    browser.get(report_page.as_uri())
    rows = browser.find_elements(By.CSS_SELECTOR, "#behaviours tbody tr")
    assert len(rows) == len(CATALOGUE)
    assert browser.find_element(By.ID, "shown-count").text == str(len(CATALOGUE))

    # failures are expanded, with their evidence on show; passes are collapsed
    for tr in rows:
        details = tr.find_element(By.CSS_SELECTOR, "details.evidence")
        assert (details.get_attribute("open") is not None) == (tr.get_attribute("data-verdict") == "fail")
    fail_row = browser.find_element(By.ID, "b-streaming.sequence_number.contiguous")
    message = fail_row.find_element(By.CSS_SELECTOR, ".message")
    assert message.is_displayed() and "expected 4, got 6" in message.text
    assert "req_9" in fail_row.find_element(By.CSS_SELECTOR, ".request-ids").text
    assert "cassettes/reference/stream.yaml" in fail_row.find_element(By.CSS_SELECTOR, ".cassette").text
    assert "Each event has a sequence_number." in fail_row.find_element(By.CSS_SELECTOR, "blockquote.doc").text

    # verdict filter: only failures
    Select(browser.find_element(By.ID, "filter-verdict")).select_by_value("fail")
    assert sorted(_visible_ids(browser)) == [
        "limits.pdf.max_pages",
        "streaming.completed.last",
        "streaming.sequence_number.contiguous",
    ]
    assert browser.find_element(By.ID, "shown-count").text == "3"
    # plus a family filter: failures in streaming only
    Select(browser.find_element(By.ID, "filter-family")).select_by_value("streaming")
    assert sorted(_visible_ids(browser)) == ["streaming.completed.last", "streaming.sequence_number.contiguous"]
    assert browser.execute_script("return location.hash") == "#family=streaming&verdict=fail"

    # clear the filters, sort by verdict: worst news first, then reversed on a second click
    Select(browser.find_element(By.ID, "filter-family")).select_by_value("")
    Select(browser.find_element(By.ID, "filter-verdict")).select_by_value("")
    assert len(_visible_ids(browser)) == len(CATALOGUE)
    header = browser.find_element(By.XPATH, "//table[@id='behaviours']/thead/tr/th[text()='Verdict']")
    header.click()
    verdicts = [tr.get_attribute("data-verdict") for tr in browser.find_elements(By.CSS_SELECTOR, "#behaviours tbody tr")]
    assert verdicts[:4] == ["fail", "fail", "fail", "inconclusive"] and verdicts[-1] == "pass"
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    verdicts = [tr.get_attribute("data-verdict") for tr in browser.find_elements(By.CSS_SELECTOR, "#behaviours tbody tr")]
    assert verdicts[0] == "pass" and verdicts[-1] == "fail"
    # sort by behaviour id
    browser.find_element(By.XPATH, "//table[@id='behaviours']/thead/tr/th[text()='Behaviour']").click()
    assert _visible_ids(browser) == sorted(CATALOGUE)

    # the page is self-contained: no external scripts, stylesheets or images were requested
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert urls == []

    # a screenshot that shows the report (kept when RESPCHECK_SCREENSHOT_DIR is set)
    Select(browser.find_element(By.ID, "filter-verdict")).select_by_value("fail")
    shot_dir = Path(os.environ.get("RESPCHECK_SCREENSHOT_DIR") or report_page.parent)
    shot_dir.mkdir(parents=True, exist_ok=True)
    shot = shot_dir / "report-failures.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_link_hash_applies_filter(browser, report_page):
    browser.get(report_page.as_uri() + "#verdict=not-applicable")
    assert _visible_ids(browser) == ["streaming.vision.image_in_stream"]


def test_matrix_page_filters_differing_rows(browser, tmp_path):
    reports = [
        build(make_run(run_id="r1"), baseline_results(), CATALOGUE),
        build(make_run(run_id="r2", mode="reference"), baseline_results(), CATALOGUE),
        build(make_run(run_id="r3", mode="reference"), faulted_results(), CATALOGUE),
    ]
    page = write_matrix(matrix(reports), tmp_path, ("html",))["html"]
    browser.get(page.as_uri())
    heads = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#matrix thead th")]
    assert heads[2:5] == ["replay / r1", "reference / r2", "reference / r3"]
    browser.find_element(By.ID, "filter-differs").click()
    ids = sorted(tr.get_attribute("data-id") for tr in browser.find_elements(By.CSS_SELECTOR, "#matrix tbody tr") if tr.is_displayed())
    assert ids == [
        "limits.pdf.max_pages",
        "streaming.completed.last",
        "streaming.sequence_number.contiguous",
        "tools.mcp.headers_sent",
    ]
    Select(browser.find_element(By.ID, "filter-verdict")).select_by_value("inconclusive")
    ids = [tr.get_attribute("data-id") for tr in browser.find_elements(By.CSS_SELECTOR, "#matrix tbody tr") if tr.is_displayed()]
    assert ids == ["tools.mcp.headers_sent"]
    shot = tmp_path / "matrix.png"
    assert browser.save_screenshot(str(shot))
    if os.environ.get("RESPCHECK_SCREENSHOT_DIR"):
        shutil.copy(shot, Path(os.environ["RESPCHECK_SCREENSHOT_DIR"]) / "matrix.png")
