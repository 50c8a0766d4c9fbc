"""Browser-test harness: Debian's Chromium driven by Playwright against Django's live server.

One Chromium per test session, a fresh browser context (cookies, storage) per test. The
checkers come from the npm registry and live in ``tests/.tools/browser/`` (git-ignored):
axe-core is injected into pages, the Nu HTML Checker (vnu-jar) runs under Java as a small
local HTTP service for the whole session so each page costs milliseconds, not a JVM start.

A tool the machine lacks (Chromium, npm, Java) skips the tests that need it, with the
command that installs it; under CI (``CI=true``) a missing tool fails them instead.
"""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SOCIALPOLL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Not tests/.tools itself: other suites install their own npm packages there, and
# `npm install --no-save` prunes whatever it did not install in the same prefix.
TOOLS = Path(__file__).resolve().parent.parent / ".tools" / "browser"
AXE_JS = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PACKAGES = ["axe-core@4", "vnu-jar"]
NPM_INSTALL = ["install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund"]
# Generous: a slow CI machine under two database runs must not flake.
TIMEOUT_MS = 15_000


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing_tool(message: str):
    """Skip locally (saying how to install the tool); fail under CI, where it must exist."""
    if in_ci():
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


# --- the browser ------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        missing_tool(
            f"Chromium is not installed at {CHROMIUM} "
            "(Debian/Ubuntu: sudo apt-get install chromium; or set SOCIALPOLL_CHROMIUM)"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests
    # make happen while no coroutine runs, so Django's async guard would be a false alarm.
    # Set only while the browser is up, so the rest of the suite keeps the guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def trainer(db):
    """The trainer of the browser stories: Morgan Reyes, who signs in as "morgan"."""
    from django.contrib.auth.models import Group

    from tests.factories import make_user

    user = make_user("morgan", first_name="Morgan", last_name="Reyes")
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


@pytest.fixture
def new_context(browser, live_server):
    """Open browser contexts (each a separate browser profile) on the live server."""
    contexts = []

    def open_context(**options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh context with JavaScript (and so htmx) on."""
    return new_context().new_page()


@pytest.fixture
def nojs_page(new_context):
    """A page in a fresh context with JavaScript off: everything must work by page loads."""
    return new_context(java_script_enabled=False).new_page()


@pytest.fixture(autouse=True)
def _committed_data(transactional_db):
    """Live-server tests commit their data (the server answers from its own thread and,
    on PostgreSQL, its own connection), so each test gets a transactional database that is
    flushed afterwards. The flush re-sends post_migrate, which re-creates content types,
    permissions and the "Trainers" group (polls.apps.ensure_trainers_group)."""


# --- axe-core ---------------------------------------------------------------------------
def _npm_install() -> None:
    npm = shutil.which("npm")
    if npm is None:
        missing_tool("npm is not installed (Debian/Ubuntu: sudo apt-get install nodejs npm)")
    TOOLS.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        # --ignore-scripts: vnu-jar's install script may download a Java runtime; we use the
        # system's Java, and the jar itself ships in the package.
        [npm, *NPM_INSTALL, "--prefix", str(TOOLS), *PACKAGES],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0 or not (AXE_JS.exists() and VNU_JAR.exists()):
        missing_tool(
            "could not install axe-core and vnu-jar from the npm registry into "
            f"{TOOLS} (run: npm install --no-save --ignore-scripts --prefix {TOOLS} "
            "axe-core vnu-jar):\n" + result.stdout[-2000:] + result.stderr[-2000:]
        )


@pytest.fixture(scope="session")
def checker_packages() -> None:
    if not (AXE_JS.exists() and VNU_JAR.exists()):
        _npm_install()


@pytest.fixture(scope="session")
def axe_source(checker_packages) -> Path:
    return AXE_JS


@pytest.fixture
def a11y_page(new_context, axe_source):
    """A page whose context may inject axe-core despite the site's strict CSP."""
    return new_context(bypass_csp=True).new_page()


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page as it is now; the violations of the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    # The page as a reader looks at it, not mid-refresh: live results fade while htmx fetches
    # them, so no htmx request may start during the audit, and one in flight ends first.
    results = page.evaluate(
        """async () => {
            const hold = (event) => event.preventDefault();
            document.addEventListener("htmx:beforeRequest", hold, true);
            const busy = ".htmx-request, .htmx-swapping, .htmx-settling";
            for (let i = 0; i < 200 && document.querySelector(busy); i++) {
                await new Promise((done) => setTimeout(done, 50));
            }
            try {
                const r = await axe.run(document, {resultTypes: ["violations"]});
                return r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary),
                }));
            } finally {
                document.removeEventListener("htmx:beforeRequest", hold, true);
            }
        }"""
    )
    return [v for v in results if v["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    return "\n".join(
        f"[{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:5])
        for v in violations
    )


# --- the Nu HTML Checker ------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NuChecker:
    """The Nu HTML Checker as a local service: POST a document, get its errors."""

    def __init__(self, url: str):
        self.url = url

    def errors(self, html: str) -> list[dict]:
        request = urllib.request.Request(
            f"{self.url}?out=json&level=error",
            data=html.encode(),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            messages = json.load(response)["messages"]
        return [m for m in messages if m.get("type") in {"error", "non-document-error"}]


def describe_html_errors(errors: list[dict]) -> str:
    return "\n".join(
        f"line {e.get('lastLine')}: {e.get('message')}  «{e.get('extract', '').strip()}»"
        for e in errors
    )


class NuService:
    """The checker's JVM takes seconds to start: start it early, wait for it when needed."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> None:
        java = shutil.which("java")
        if self.process is not None or java is None or not VNU_JAR.exists():
            return
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}/"
        self.process = subprocess.Popen(
            [
                java,
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                *("-cp", str(VNU_JAR), "nu.validator.servlet.Main", str(port)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_ready(self, timeout: float = 180) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(self.url, timeout=5).close()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the Nu HTML Checker did not start ({VNU_JAR})", pytrace=False)
                time.sleep(0.25)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session", autouse=True)
def _nu_service(request) -> Iterator[NuService]:
    service = NuService()
    if any("nu_checker" in item.fixturenames for item in request.session.items):
        service.start()  # in the background, while the first tests run
    yield service
    service.stop()


def pytest_collection_modifyitems(items):
    """Run the Nu checks last in the session, so the checker has started by then."""
    items.sort(key=lambda item: "nu_checker" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def nu_checker(checker_packages, _nu_service) -> NuChecker:
    if shutil.which("java") is None:
        missing_tool(
            "Java is not installed; the Nu HTML Checker needs it "
            "(Debian/Ubuntu: sudo apt-get install default-jre-headless)"
        )
    _nu_service.start()  # no-op when already started
    _nu_service.wait_ready()
    return NuChecker(_nu_service.url)


# --- scenario checks shared by the accessibility modules ------------------------------------
def check_scenario_with_axe(page, poll, scenario, served: dict) -> None:
    """Walk through the scenario, keep the HTML the server answered (for the Nu check), and
    assert that axe finds no serious or critical violation on the page as it is then."""
    html = scenario(page, poll)
    served[scenario.__name__] = (page.url, html)
    violations = axe_violations(page)
    assert violations == [], f"axe on {page.url}:\n{describe_violations(violations)}"


def check_scenario_with_nu(request, nu_checker, scenario, served: dict) -> None:
    """The Nu HTML Checker on the HTML the scenario's server answer had (kept by the axe
    run; walked through now when the test runs on its own)."""
    if scenario.__name__ in served:
        url, html = served.pop(scenario.__name__)
    else:
        page = request.getfixturevalue("a11y_page")
        html = scenario(page, request.getfixturevalue("poll"))
        url = page.url
    errors = nu_checker.errors(html)
    assert errors == [], f"Nu HTML Checker on {url}:\n{describe_html_errors(errors)}"
