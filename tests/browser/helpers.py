"""Small steps a person takes in the browser, shared by the flow tests."""

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# A value planted on `window`: it survives an htmx swap and vanishes on a full page load.
MARKER = "socialpollNoReload"


def plant_marker(page: Page) -> None:
    page.evaluate(f"() => {{ window.{MARKER} = true; }}")


def marker_survived(page: Page) -> bool:
    return page.evaluate(f"() => window.{MARKER} === true")


def wait_for_htmx(page: Page) -> None:
    """Wait until htmx has loaded (a page with JS on) so clicks go through it."""
    page.wait_for_function("() => typeof window.htmx !== 'undefined'")


def results(page: Page):
    return page.locator("#poll-results")


def vote_for(page: Page, choice: str) -> None:
    page.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Vote").click()


def focused_element(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el ? el.tagName.toLowerCase() : null,
                    id: el ? el.id : null,
                    text: el ? (el.innerText || el.value || "").trim().slice(0, 200) : ""};
        }"""
    )


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def focus_moves_into(page: Page, selector: str, timeout_ms: int = 5_000) -> bool:
    """Whether focus lands inside `selector` (htmx settles a moment after it swaps)."""
    try:
        page.wait_for_function(
            "(selector) => !!(document.activeElement && document.activeElement.closest(selector))",
            arg=selector,
            timeout=timeout_ms,
        )
    except PlaywrightTimeoutError:
        return False
    return True
