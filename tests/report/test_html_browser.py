"""The HTML report in a real headless Chromium at 1280 px: layout, filter, sort, expanded failures, screenshot.

Needs Debian's `chromium` + `chromium-driver` (`sudo bash .ci/install-browser.sh` installs them; .ci/run
calls it) and selenium; skips with a message saying what is missing otherwise, and fails under CI=true.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from respcheck.report import build, matrix, write_all, write_matrix

from .records import CATALOGUE, baseline_results, faulted_results, make_run, result

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
    "--window-size=1280,1000",
)


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        missing = "Debian chromium + chromium-driver not installed (install them: sudo bash .ci/install-browser.sh)"
        if os.environ.get("CI"):
            pytest.fail(missing + "; CI must run the browser test, not skip it")  # .ci/run installs them first
        pytest.skip(missing)
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

    # failures (and inconclusive, not-run) are expanded, with their evidence on show; passes are collapsed
    for tr in rows:
        details = tr.find_element(By.CSS_SELECTOR, "details.evidence")
        expanded = tr.get_attribute("data-verdict") in ("fail", "inconclusive", "not-run")
        assert (details.get_attribute("open") is not None) == expanded
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
    width = browser.execute_script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"the matrix scrolls sideways at 1280 px: {width}"
    heads = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#matrix thead th")]
    assert heads[2:5] == ["replay of reference", "reference server · r2", "reference server · r3"]
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


# --- layout at 1280 px -------------------------------------------------------------------------------------

# as long as the catalogue's longest id (50 characters) with its longest word (29), plus some
LONG_ID = "streaming.first_bytes_before_completion.session_idle_timeout_20min.resumed"
LAYOUT_CATALOGUE = {**CATALOGUE, LONG_ID: {**CATALOGUE["streaming.completed.last"], "id": LONG_ID}}

_LINES_JS = """
// the text of each rendered line of every element matching the selector (line = same top coordinate)
function lines(el) {
  var out = [], cur = null, top = null, walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT), n;
  while ((n = walker.nextNode())) {
    for (var i = 0; i < n.length; i++) {
      var r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
      var rects = r.getClientRects(); if (!rects.length) continue;
      var t = Math.round(rects[0].top);
      if (top === null || Math.abs(t - top) > 3) { if (cur !== null) out.push(cur); cur = ""; top = t; }
      cur += n.data[i];
    }
  }
  if (cur !== null) out.push(cur);
  return out;
}
return Array.prototype.map.call(document.querySelectorAll(arguments[0]), lines);
"""


@pytest.fixture(scope="module")
def layout_page(tmp_path_factory):
    """A report with failures, a lost test, a long behaviour id and long unbreakable evidence."""
    results = faulted_results() + [
        result("suites/streaming/test_first_bytes_before_completion_of_a_long_background_task.py::"
               "test_first_bytes_arrive_before_the_response_completes_even_when_the_session_idles[case-7]",
               [LONG_ID, "streaming.completed.last"], "fail",
               "[streaming] body " + "x" * 300 + " and a path /work/main/cassettes/reference/" + "deep/" * 30 + "c.yaml",
               evidence={"request_ids": ["00000000-0000-4000-8000-000000000001"] * 4,
                         "cassette": "cassettes/reference/streaming/" + "very_long_cassette_name_" * 8 + ".yaml",
                         "interactions": list(range(40))}),
        result("suites/chaining/test_chaining.py::test_store_false_second_look", ["chaining.store_false.not_retrievable"],
               "not-run", "setup error: RuntimeError: no recorded interaction matches POST /openai/v1/responses"),
    ]
    report = build(make_run(run_id="layout", mode="replay"), results, LAYOUT_CATALOGUE)
    return write_all(report, tmp_path_factory.mktemp("layout"))["html"]


def test_layout_at_1280px(browser, layout_page):
    browser.set_window_size(1280, 1000)
    browser.get(layout_page.as_uri())
    assert browser.execute_script("return window.innerWidth") <= 1280
    # every evidence block open: the worst case for width
    browser.execute_script("document.querySelectorAll('details').forEach(function (d) { d.open = true; })")
    width = browser.execute_script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways at 1280 px: {width}"
    overflowing = browser.execute_script(
        "return Array.prototype.filter.call(document.querySelectorAll('td'), function (td) {"
        "  return td.scrollWidth > td.clientWidth + 1; }).map(function (td) { return td.textContent.slice(0, 80); })")
    assert overflowing == [], f"cells whose content spills over: {overflowing}"

    # behaviour ids break only after a dot, never inside a word (and the long one does wrap here)
    for selector in ("#behaviours code.bid", "#attention code.bid"):
        for lines in browser.execute_script(_LINES_JS, selector):
            assert all(line.endswith(".") for line in lines[:-1]), f"{selector}: id broken mid-word: {lines}"
    long_lines = next(ls for ls in browser.execute_script(_LINES_JS, "#behaviours code.bid") if "".join(ls) == LONG_ID)
    assert len(long_lines) > 1, "the long id fits on one line: the check above proved nothing"

    # what needs attention comes first, failures before the lost test
    top = {name: browser.find_element(By.ID, name).rect["y"] for name in ("summary", "attention", "families", "behaviours")}
    assert top["summary"] < top["attention"] < top["families"] < top["behaviours"], top
    verdicts = [tr.get_attribute("data-verdict") for tr in browser.find_elements(By.CSS_SELECTOR, "#attention-table tbody tr")]
    assert verdicts[0] == "fail" and verdicts[-1] == "not-run" and verdicts.count("not-run") == 1
    lost = browser.find_element(By.CSS_SELECTOR, '#attention-table tr[data-nodeid$="test_store_false_second_look"]')
    assert "no recorded interaction" in lost.text
    link = lost.find_element(By.CSS_SELECTOR, "a.evidence-link")
    assert link.get_attribute("href").endswith("#b-chaining.store_false.not_retrievable")
    # behaviour rows: worst news first by default
    rows = [tr.get_attribute("data-verdict") for tr in browser.find_elements(By.CSS_SELECTOR, "#behaviours tbody tr")]
    assert rows[0] == "fail" and rows.index("not-run") < rows.index("pass")

    # a non-zero fail / not-run count is coloured; a zero is not
    white = "rgba(0, 0, 0, 0)"
    for tr in browser.find_elements(By.CSS_SELECTOR, "#families tbody tr"):
        cells = tr.find_elements(By.TAG_NAME, "td")
        for verdict, cell in zip(("fail", "inconclusive", "not-run"), cells[3:6], strict=True):
            pills = cell.find_elements(By.CSS_SELECTOR, ".pill")
            if cell.text != "0":
                assert f"nz-{verdict}" in cell.get_attribute("class"), (tr.text, verdict)
                assert pills and pills[0].value_of_css_property("background-color") != white, (tr.text, verdict)
                assert pills[0].value_of_css_property("color") == "rgba(255, 255, 255, 1)"
            else:
                assert "nz" not in cell.get_attribute("class").split() and not pills, (tr.text, verdict)
                assert "zero" in cell.get_attribute("class").split()
    card = browser.find_element(By.CSS_SELECTOR, '[data-card="not-run"]')
    assert "nonzero" in card.get_attribute("class") and card.find_element(By.TAG_NAME, "b").text == "1"
    # a replay shows neither bytes sent nor a USD cost
    spent = browser.find_element(By.ID, "spent").text
    assert "bytes" not in spent and "USD" not in spent and "replayed from cassettes" in spent

    browser.execute_script("window.scrollTo(0, 0)")
    shot_dir = Path(os.environ.get("RESPCHECK_SCREENSHOT_DIR") or layout_page.parent)
    shot_dir.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(shot_dir / "report-1280.png"))
