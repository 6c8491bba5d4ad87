"""The dashboard in a real browser: `redlines dashboard` on a free port, Debian's Chromium.

Starts the server the way a user does, drives each page with Playwright's sync API, checks
text against `sim`, checks that Vega charts draw, uploads a broken file, downloads the
adjusted scenario and runs it with the CLI, and saves a screenshot of every page under
`test-artefacts/`. Chromium must be installed (`apt-get install chromium`); it is launched by
its path, never downloaded. Without it these tests fail: they are not skipped.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.engine.run import run
from sim.scenario.build import load_scenario
from tests.builders import BASELINE, ROOT

pytestmark = pytest.mark.browser

ARTEFACTS = ROOT / "test-artefacts" / "dashboard"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT = 60_000  # ms


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVER_PID: list[int] = []


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """`redlines dashboard --port P` as a user starts it; its URL once healthy."""
    port = free_port()
    log = ARTEFACTS / "server.log"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    redlines = shutil.which("redlines", path=str(Path(sys.executable).parent)) or "redlines"
    with log.open("w") as out:
        process = subprocess.Popen(
            [redlines, "dashboard", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    SERVER_PID[:] = [process.pid]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not start; see {log}:\n{log.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium); "
            "the browser tests are never skipped"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def web(chromium, server):  # type: ignore[no-untyped-def]
    """A fresh tab (a fresh Streamlit session) with a tall viewport for full screenshots."""
    context = chromium.new_context(viewport={"width": 1440, "height": 2400}, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(WAIT)
    yield tab
    context.close()


def settle(tab) -> None:  # type: ignore[no-untyped-def]
    """Wait until the app has finished its run (the running indicator is gone)."""
    tab.wait_for_timeout(250)
    tab.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=WAIT * 3)


def open_page(tab, server: str, path: str = "") -> None:  # type: ignore[no-untyped-def]
    tab.goto(f"{server}/{path}")
    tab.locator('[data-testid="stMain"] h1').first.wait_for()
    settle(tab)


def charts_drawn(tab, count: int = 1) -> None:  # type: ignore[no-untyped-def]
    """At least `count` Vega charts have drawn their marks (SVG or canvas)."""
    from playwright.sync_api import expect

    drawn = tab.locator('[data-testid="stVegaLiteChart"] :is(svg.marks, canvas)')
    expect(drawn.nth(count - 1)).to_be_visible(timeout=WAIT)


def shot(tab, name: str) -> Path:  # type: ignore[no-untyped-def]
    path = ARTEFACTS / f"{name}.png"
    tab.wait_for_timeout(700)  # data grids and fonts settle after the text
    tab.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def test_scenario_page_and_sources(web, server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    open_page(web, server)
    expect(web.get_by_role("heading", name="Ukraine, February 2025")).to_be_visible()
    expect(web.get_by_text("⚠ ASSUMPTION (not in the source)").first).to_be_visible()
    shot(web, "1-scenario")
    web.get_by_role("tab", name="Sources").click()
    marks = web.locator(".rl-source mark")
    expect(marks).to_have_count(8)
    expect(marks.filter(has_text="We do not discard any option.")).to_have_count(1)
    shot(web, "1-scenario-sources")


def test_broken_upload_shows_the_located_error(web, server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    open_page(web, server)
    broken = "schema_version: 1\nid: baseline\ntitle: Broken\nissues: []\nactors: nope\n"
    web.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "broken.yaml", "mimeType": "application/x-yaml", "buffer": broken.encode()}]
    )
    settle(web)
    (tmp_path / "broken.yaml").write_text(broken, encoding="utf-8")
    cli = subprocess.run(
        [sys.executable, "-m", "sim.cli", "validate", "broken.yaml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    first = cli.stderr.splitlines()[0]
    assert first.startswith("broken.yaml:")
    expect(web.get_by_text("is not a valid scenario").first).to_be_visible()
    expect(web.locator('[data-testid="stCode"]').first).to_contain_text(first)
    shot(web, "2-upload-error")
    # the app keeps running: the Run page says why it cannot run, the shipped file still works
    web.get_by_role("link", name="Run").click()
    settle(web)
    expect(web.get_by_text("cannot be used").first).to_be_visible()


def test_adjust_slider_then_download_runs_in_the_cli(web, server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    open_page(web, server, "adjust")
    web.get_by_role("tab", name="Protocol").click()
    rounds = web.get_by_role("slider", name="Rounds at most")
    rounds.focus()
    for _ in range(4):
        web.keyboard.press("ArrowLeft")
    settle(web)
    expect(rounds).to_have_value("20")
    expect(web.get_by_text("1 change to baseline.yaml")).to_be_visible()
    expect(web.locator('[data-testid="stCode"]').first).to_contain_text(
        "--set protocol.max_rounds=20"
    )
    shot(web, "3-adjust")
    with web.expect_download() as download:
        web.get_by_role("button", name="Download scenario (YAML)").click()
    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios" / "sources", folder / "sources")
    saved = folder / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "baseline-adjusted.yaml"
    assert (
        load_scenario(saved).scenario
        == load_scenario(BASELINE, ["protocol.max_rounds=20"]).scenario
    )
    cli = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", str(saved), "--seed", "3", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    assert '"scenario": "baseline"' in cli.stdout


def test_run_page_slider_run_and_chart(web, server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    open_page(web, server, "run")
    seed = web.get_by_role("slider", name="Seed")
    expect(seed).to_have_value("3")
    expect(web.get_by_text("Agreement in round 20").first).to_be_visible()
    charts_drawn(web)
    seed.focus()
    web.keyboard.press("ArrowRight")
    settle(web)
    expect(seed).to_have_value("4")
    expected = run(BASELINE, seed=4).result
    assert expected.outcome == "deadlock"
    expect(
        web.get_by_text(f"Deadlock: no agreement within {expected.rounds} rounds.")
    ).to_be_visible()
    charts_drawn(web)
    shot(web, "4-run")
    chart = web.locator('[data-testid="stVegaLiteChart"]').first
    chart.hover()
    with web.expect_download() as download:
        web.get_by_role("button", name="Download as PNG").first.click()
    path = download.value.path()
    assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bargaining_page(web, server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    open_page(web, server, "bargaining")
    expect(
        web.get_by_text("A zone of possible agreement exists: 2 of 45 outcomes").first
    ).to_be_visible()
    charts_drawn(web, 2)
    assert (
        web.locator(
            '[data-testid="stVegaLiteChart"] svg.marks text', has_text="Russia and Ukraine"
        ).count()
        == 1
    )
    shot(web, "5-bargaining")


def test_monte_carlo_page(web, server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    open_page(web, server, "monte_carlo")
    web.get_by_role("button", name="Run the draws").click()
    settle(web)
    expect(web.get_by_text("400 runs (root seed 2025)").first).to_be_visible()
    charts_drawn(web, 3)
    shot(web, "6-monte-carlo")


def test_sensitivity_page(web, server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    open_page(web, server, "sensitivity")
    runs = web.get_by_role("slider", name="Runs per setting")
    runs.focus()
    web.keyboard.press("Home")
    settle(web)
    expect(runs).to_have_attribute("aria-valuetext", "20")
    web.get_by_role("button", name="Run one at a time").click()
    settle(web)
    expect(web.get_by_text("Tornado: P(agreement)")).to_be_visible()
    charts_drawn(web)
    shot(web, "7-sensitivity")


def test_compare_page(web, server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    open_page(web, server, "compare")
    expect(web.get_by_text("The two sides are the same scenario.")).to_be_visible()
    web.get_by_role("button", name="Sweep both").click()
    settle(web)
    charts_drawn(web)
    shot(web, "8-compare")


def test_the_server_binds_loopback_headless_without_usage_stats(server) -> None:  # type: ignore[no-untyped-def]
    """`redlines dashboard` started Streamlit as its child with the safe flags."""
    pid = SERVER_PID[0]
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    assert len(children) == 1
    argv = Path(f"/proc/{children[0]}/cmdline").read_bytes().decode().split("\0")
    assert argv[1:4] == ["-m", "streamlit", "run"]
    flags = dict(zip(argv[5::2], argv[6::2], strict=False))
    assert flags["--server.address"] == "127.0.0.1"
    assert flags["--server.headless"] == "true"
    assert flags["--browser.gatherUsageStats"] == "false"
    assert flags["--server.fileWatcherType"] == "none"
