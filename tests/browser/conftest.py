"""Browser tests: the real app on the seeded real engines, driven by headless Debian Chromium.

Screenshots go to artifacts/screenshots/ (git-ignored; CI keeps it as an artifact).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.web.seed import ensure_seeded

CHROMIUM = Path(os.environ.get("ROR_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Every wait is on a condition (a selector, a text, a URL); these are guards only, generous for a loaded machine
# (a 15 s wait for "Requête annulée" failed a fresh-clone CI run: issue 19).
WAIT_MS = 120_000
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        return  # in CI a missing browser must fail loudly, not skip
    skip = pytest.mark.skip(reason=f"{CHROMIUM} introuvable : installez le paquet Debian chromium "
                                   "(apt-get install chromium) pour les tests navigateur")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)  # `expect(…)` assertions wait 5 s by default
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=WAIT_MS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def base_url(settings, graph, search_client, engine_endpoints):
    """The seeded app served on a free loopback port from a background thread."""
    from werkzeug.serving import make_server

    from web import create_app
    from web.services import close

    _, may_wipe = engine_endpoints
    app = create_app(ensure_seeded(graph, search_client, settings, may_wipe), graph=graph, search=search_client)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="web-under-test", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join(timeout=60)
    close(app)  # the console's worker processes


def open_page(browser, width: int = 1280, height: int = 900):
    """A fresh context and page at this viewport (Paris time, French) that records console errors."""
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height},
                                  timezone_id="Europe/Paris")
    pg = context.new_page()
    pg.set_default_timeout(WAIT_MS)
    pg.set_default_navigation_timeout(WAIT_MS)
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    return context, pg


@pytest.fixture
def page(browser, request):
    """A fresh page that records console errors (CSP violations included) and saves a final screenshot."""
    context, pg = open_page(browser)
    yield pg
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        pg.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-final.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture(params=[(1366, 900), (390, 844)], ids=["bureau-1366", "telephone-390"])
def sized_page(browser, request):
    """The same page at a desktop width and at a phone width (final screenshot saved for each)."""
    width, height = request.param
    context, pg = open_page(browser, width, height)
    pg.viewport_width, pg.viewport_height = width, height
    yield pg
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        pg.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-final.png"), full_page=True)
    finally:
        context.close()


def no_horizontal_overflow(page) -> bool:
    """Nothing wider than the viewport (the page never scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


ADMIN, PASSWORD = "navigateur-admin", "mot-de-passe-navigateur"


@pytest.fixture(scope="module")
def admin_account(graph, base_url):
    """An administrator of the seeded app (created once; the seed's fingerprint ignores accounts)."""
    from accounts.store import UserStore

    store = UserStore(graph)
    if store.get(ADMIN) is None:
        store.add(ADMIN, PASSWORD, "admin", display_name="Administrateur des tests navigateur")
    return ADMIN


def log_in(page, base_url: str) -> None:
    page.goto(base_url + "/connexion")
    page.fill("#username", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/connexion" not in url)
