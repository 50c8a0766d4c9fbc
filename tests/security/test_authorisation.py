"""Who may do what: every URL the project defines by every kind of account, GET and POST.

MATRIX below is the table. Each row is one URL (by its name, or by its route when it has
none) on one kind of object; each cell is the status that role must get. A URL that the
resolver knows but the table does not FAILS test_every_url_has_a_row, so a new view cannot
ship without someone deciding who may reach it.

Admin URLs (Django generates several per registered model) are covered by a rule plus
representative rows: the rule (test_admin_turns_away_everyone_without_staff_status) walks
every admin URL and requires that anonymous visitors, readers and trainers (none of them
staff) get no admin page at all; the rows check what staff and superusers get on the pages
that matter.

POST cells send an empty form (no CSRF enforcement here; see test_csrf.py).
"""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from comments.notifications import unsubscribe_token
from comments.posting import comment_place
from polls.models import Poll
from tests.factories import make_poll
from tests.security.urls import all_routes, example_path

ROLES = ("anonymous", "reader", "trainer", "other_trainer", "moderator", "superuser")

# key: (object the URL points at, {"GET": statuses, "POST": statuses}) with statuses in
# ROLES order: anonymous reader trainer other_trainer moderator superuser.
#   "pub"   = trainer's published poll (results always visible)
#   "draft" = trainer's draft poll
#   "-"     = the URL takes no object
MATRIX: dict[str, tuple[str, dict[str, str]]] = {
    # --- public pages --------------------------------------------------------------
    "polls:list": ("-", {"GET": "200 200 200 200 200 200", "POST": "405 405 405 405 405 405"}),
    "polls:detail": ("pub", {"GET": "200 200 200 200 200 200", "POST": "405 405 405 405 405 405"}),
    # A draft is seen by its author and by those who may change any poll, by nobody else.
    "polls:detail [draft]": (
        "draft",
        {"GET": "404 404 200 404 404 200", "POST": "405 405 405 405 405 405"},
    ),
    # An empty vote is refused (400); a draft takes no votes, even from its author (403).
    # The vote address opened in a browser leads to the poll (whose page decides).
    "polls:vote": ("pub", {"GET": "302 302 302 302 302 302", "POST": "400 400 400 400 400 400"}),
    "polls:vote [draft]": (
        "draft",
        {"GET": "302 302 302 302 302 302", "POST": "404 404 403 404 404 403"},
    ),
    "polls:results": (
        "pub",
        {"GET": "200 200 200 200 200 200", "POST": "405 405 405 405 405 405"},
    ),
    "polls:results [draft]": (
        "draft",
        {"GET": "404 404 200 404 404 200", "POST": "405 405 405 405 405 405"},
    ),
    # --- join, share, embed (polls/share_views.py, polls/embed.py) ---------------------
    # A join code leads to its poll; a draft's code is unknown but to who may see the draft.
    "polls:join": ("pub", {"GET": "302 302 302 302 302 302", "POST": "405 405 405 405 405 405"}),
    "polls:join [draft]": (
        "draft",
        {"GET": "404 404 302 404 404 302", "POST": "405 405 405 405 405 405"},
    ),
    "j/<str:code>/": ("pub", {"GET": "302 302 302 302 302 302", "POST": "405 405 405 405 405 405"}),
    "polls:join_form": ("-", {"GET": "200 200 200 200 200 200", "POST": "405 405 405 405 405 405"}),
    "polls:qr_svg": ("pub", {"GET": "200 200 200 200 200 200", "POST": "405 405 405 405 405 405"}),
    "polls:qr_svg [draft]": (
        "draft",
        {"GET": "404 404 200 404 404 200", "POST": "405 405 405 405 405 405"},
    ),
    "polls:qr_png": ("pub", {"GET": "200 200 200 200 200 200", "POST": "405 405 405 405 405 405"}),
    "polls:qr_png [draft]": (
        "draft",
        {"GET": "404 404 200 404 404 200", "POST": "405 405 405 405 405 405"},
    ),
    "polls:embed": ("pub", {"GET": "200 200 200 200 200 200", "POST": "405 405 405 405 405 405"}),
    "polls:embed [draft]": (
        "draft",
        {"GET": "404 404 200 404 404 200", "POST": "405 405 405 405 405 405"},
    ),
    # As polls:vote: an empty vote is refused; a draft takes none.
    "polls:embed_vote": (
        "pub",
        {"GET": "405 405 405 405 405 405", "POST": "400 400 400 400 400 400"},
    ),
    "polls:embed_vote [draft]": (
        "draft",
        {"GET": "405 405 405 405 405 405", "POST": "404 404 403 404 404 403"},
    ),
    "health": ("-", {"GET": "200 200 200 200 200 200", "POST": "405 405 405 405 405 405"}),
    "ready": ("-", {"GET": "200 200 200 200 200 200", "POST": "405 405 405 405 405 405"}),
    # --- trainer pages: anonymous is sent to log in, accounts without the right get 403 ---
    "polls:create": ("-", {"GET": "302 403 200 200 403 200", "POST": "302 403 400 400 403 400"}),
    "polls:mine": ("-", {"GET": "302 403 200 200 403 200", "POST": "302 403 405 405 403 405"}),
    "polls:edit": ("pub", {"GET": "302 403 200 403 403 200", "POST": "302 403 400 403 403 400"}),
    "polls:edit [draft]": (
        "draft",
        {"GET": "302 403 200 403 403 200", "POST": "302 403 400 403 403 400"},
    ),
    # GET asks to confirm (a page without JavaScript); the form posts.
    "polls:close": ("pub", {"GET": "302 403 200 403 403 200", "POST": "302 403 302 403 403 302"}),
    "polls:reopen": ("pub", {"GET": "405 405 405 405 405 405", "POST": "302 403 302 403 403 302"}),
    "polls:duplicate": (
        "pub",
        {"GET": "405 405 405 405 405 405", "POST": "302 403 302 403 403 302"},
    ),
    "polls:delete": ("pub", {"GET": "302 403 200 403 403 200", "POST": "302 403 302 403 403 302"}),
    # Results export: the poll's trainer and staff (polls/models.py results_always_visible_to
    # says staff see results whatever the rule, so a comments moderator may export too).
    "polls:export": (
        "pub",
        {"GET": "302 403 200 403 200 200", "POST": "405 405 405 405 405 405"},
    ),
    # A draft's results follow the draft's page: not found for anyone who may not manage it.
    "polls:export [draft]": (
        "draft",
        {"GET": "302 404 200 404 404 200", "POST": "405 405 405 405 405 405"},
    ),
    # The presenter view and its live block: the poll's trainer and staff (as the CSV);
    # a draft's, as its page, only for those who may manage it. Show / Hide results: the
    # poll's trainer and those who may change any poll (an empty form hides them).
    "polls:present": (
        "pub",
        {"GET": "302 403 200 403 200 200", "POST": "405 405 405 405 405 405"},
    ),
    "polls:present [draft]": (
        "draft",
        {"GET": "302 404 200 404 404 200", "POST": "405 405 405 405 405 405"},
    ),
    "polls:present_live": (
        "pub",
        {"GET": "302 403 200 403 200 200", "POST": "405 405 405 405 405 405"},
    ),
    "polls:present_live [draft]": (
        "draft",
        {"GET": "302 404 200 404 404 200", "POST": "405 405 405 405 405 405"},
    ),
    "polls:reveal": ("pub", {"GET": "405 405 405 405 405 405", "POST": "302 403 302 403 403 302"}),
    # Vote again: like a close, the poll's trainer (and superusers); without votes in the
    # round the trainer is sent back to the poll with the reason (302 either way).
    "polls:vote_again": (
        "pub",
        {"GET": "405 405 405 405 405 405", "POST": "302 403 302 403 403 302"},
    ),
    # The debrief quotes the discussion: the poll's trainer (and those who manage any
    # poll), not moderators; a draft is not found for the others, as its page.
    "comments:debrief_md": (
        "pub",
        {"GET": "302 403 200 403 403 200", "POST": "405 405 405 405 405 405"},
    ),
    "comments:debrief_md [draft]": (
        "draft",
        {"GET": "302 404 200 404 404 200", "POST": "405 405 405 405 405 405"},
    ),
    "comments:debrief_csv": (
        "pub",
        {"GET": "302 403 200 403 403 200", "POST": "405 405 405 405 405 405"},
    ),
    "comments:debrief_csv [draft]": (
        "draft",
        {"GET": "302 404 200 404 404 200", "POST": "405 405 405 405 405 405"},
    ),
    # --- discussion ----------------------------------------------------------------
    "comments:post": ("pub", {"GET": "405 405 405 405 405 405", "POST": "400 400 400 400 400 400"}),
    "comments:post [draft]": (
        "draft",
        {"GET": "405 405 405 405 405 405", "POST": "404 404 404 404 404 404"},
    ),
    # Feeds answer any method (Django's Feed view); CSRF still guards a POST.
    "comments:feed_rss": (
        "pub",
        {"GET": "200 200 200 200 200 200", "POST": "200 200 200 200 200 200"},
    ),
    "comments:feed_rss [draft]": (
        "draft",
        {"GET": "404 404 404 404 404 404", "POST": "404 404 404 404 404 404"},
    ),
    "comments:feed_atom": (
        "pub",
        {"GET": "200 200 200 200 200 200", "POST": "200 200 200 200 200 200"},
    ),
    "comments:feed_atom [draft]": (
        "draft",
        {"GET": "404 404 404 404 404 404", "POST": "404 404 404 404 404 404"},
    ),
    "comments:permalink": (
        "comment",
        {"GET": "302 302 302 302 302 302", "POST": "405 405 405 405 405 405"},
    ),
    "comments:permalink [on draft]": (
        "draft-comment",
        {"GET": "404 404 404 404 404 404", "POST": "405 405 405 405 405 405"},
    ),
    # Without JavaScript, "Reply" is a page with the comment and the form.
    "comments:reply_form": (
        "comment",
        {"GET": "200 200 200 200 200 200", "POST": "405 405 405 405 405 405"},
    ),
    # Any reader may report a comment (once); the report itself is the POST.
    "comments:report": (
        "comment",
        {"GET": "200 200 200 200 200 200", "POST": "302 302 302 302 302 302"},
    ),
    "comments:report [pending]": (
        "pending-comment",
        {"GET": "404 404 404 404 404 404", "POST": "404 404 404 404 404 404"},
    ),
    # Restoring a comment that readers' reports held: the poll's trainer and moderators
    # (this one is not held, so they are told so and sent back; tests/security/test_reports
    # restores a held one).
    "comments:restore": (
        "comment",
        {"GET": "405 405 405 405 405 405", "POST": "302 403 302 403 302 302"},
    ),
    # Alternative definitions (write-in polls): anyone may post one (an empty form is 400)
    # and answer one (a GET lands on it in the list; an empty answer is 400); only the
    # poll's trainer and superusers add one as a choice or take it back.
    "comments:definition": (
        "write-in",
        {"GET": "405 405 405 405 405 405", "POST": "400 400 400 400 400 400"},
    ),
    "comments:definition [no write-in]": (
        "pub",
        {"GET": "405 405 405 405 405 405", "POST": "404 404 404 404 404 404"},
    ),
    "comments:agree": (
        "alt",
        {"GET": "302 302 302 302 302 302", "POST": "400 400 400 400 400 400"},
    ),
    "comments:agree [pending]": (
        "pending-comment",
        {"GET": "404 404 404 404 404 404", "POST": "404 404 404 404 404 404"},
    ),
    "comments:promote": (
        "alt",
        {"GET": "405 405 405 405 405 405", "POST": "302 403 302 403 403 302"},
    ),
    "comments:unpromote": (
        "alt",
        {"GET": "405 405 405 405 405 405", "POST": "302 403 302 403 403 302"},
    ),
    # The trainer's own queue: the poll's trainer and moderators act on a comment awaiting
    # review (an empty form is told to choose and sent back to the queue).
    "comments:review": (
        "pending-comment",
        {"GET": "405 405 405 405 405 405", "POST": "302 403 302 403 302 302"},
    ),
    # The signed token is the authority (one click from an email), not the account.
    "comments:unsubscribe": (
        "token",
        {"GET": "200 200 200 200 200 200", "POST": "200 200 200 200 200 200"},
    ),
    "comments:unsubscribe [forged]": (
        "forged-token",
        {"GET": "404 404 404 404 404 404", "POST": "404 404 404 404 404 404"},
    ),
    # --- accounts ------------------------------------------------------------------
    # Any signed-in person may choose the time zone times are shown in (an empty form: 400).
    "time_zone": ("-", {"GET": "302 200 200 200 200 200", "POST": "302 400 400 400 400 400"}),
    # Any signed-in person keeps their own profile (an empty website is a valid one).
    "profile": ("-", {"GET": "302 200 200 200 200 200", "POST": "302 302 302 302 302 302"}),
    "login": ("-", {"GET": "200 200 200 200 200 200", "POST": "200 200 200 200 200 200"}),
    "logout": ("-", {"GET": "405 405 405 405 405 405", "POST": "302 302 302 302 302 302"}),
    "password_change": (
        "-",
        {"GET": "302 200 200 200 200 200", "POST": "302 200 200 200 200 200"},
    ),
    "password_change_done": (
        "-",
        {"GET": "302 200 200 200 200 200", "POST": "302 405 405 405 405 405"},
    ),
    "password_reset": ("-", {"GET": "200 200 200 200 200 200", "POST": "200 200 200 200 200 200"}),
    "password_reset_done": (
        "-",
        {"GET": "200 200 200 200 200 200", "POST": "405 405 405 405 405 405"},
    ),
    "password_reset_confirm": (
        "-",
        {"GET": "200 200 200 200 200 200", "POST": "200 200 200 200 200 200"},
    ),
    "password_reset_complete": (
        "-",
        {"GET": "200 200 200 200 200 200", "POST": "405 405 405 405 405 405"},
    ),
    # Sign-up is for people without an account; the confirmation link below is a made-up
    # one (400: "this link does not work").
    "signup": ("-", {"GET": "200 302 302 302 302 302", "POST": "400 302 302 302 302 302"}),
    "signup_done": ("-", {"GET": "200 200 200 200 200 200", "POST": "405 405 405 405 405 405"}),
    "signup_confirm": (
        "-",
        {"GET": "400 400 400 400 400 400", "POST": "405 405 405 405 405 405"},
    ),
    # --- admin: representative rows (every other admin URL by the rule below) -------
    "admin:login": ("-", {"GET": "200 200 200 200 302 302", "POST": "200 200 200 200 200 200"}),
    "admin:index": ("-", {"GET": "302 302 302 302 200 200", "POST": "302 302 302 302 200 200"}),
    "admin:auth_user_changelist": (
        "-",
        {"GET": "302 302 302 302 403 200", "POST": "302 302 302 302 403 200"},
    ),
    "admin:auth_user_change": (
        "user",
        {"GET": "302 302 302 302 403 200", "POST": "302 302 302 302 403 200"},
    ),
    # The moderator works the comment queue but has no rights on polls or ballots.
    "admin:comments_comment_changelist": (
        "-",
        {"GET": "302 302 302 302 200 200", "POST": "302 302 302 302 200 200"},
    ),
    "admin:comments_comment_change": (
        "comment",
        {"GET": "302 302 302 302 200 200", "POST": "302 302 302 302 200 200"},
    ),
    "admin:polls_poll_changelist": (
        "-",
        {"GET": "302 302 302 302 403 200", "POST": "302 302 302 302 403 200"},
    ),
    "admin:polls_poll_change": (
        "pub",
        {"GET": "302 302 302 302 403 200", "POST": "302 302 302 302 403 200"},
    ),
    "admin:polls_ballot_changelist": (
        "-",
        {"GET": "302 302 302 302 403 200", "POST": "302 302 302 302 403 200"},
    ),
}

ADMIN_ROLES_WITHOUT_STAFF = ("anonymous", "reader", "trainer", "other_trainer")


@dataclass
class World:
    users: dict
    objects: dict[str, dict[str, str]]


@pytest.fixture
def world(trainer, other_trainer, reader, moderator, superuser) -> World:
    published = make_poll(author=trainer, results_visibility=Poll.ResultsVisibility.ALWAYS)
    draft = make_poll(author=trainer, status=Poll.Status.DRAFT, published_at=None)
    users = {
        "anonymous": None,
        "reader": reader,
        "trainer": trainer,
        "other_trainer": other_trainer,
        "moderator": moderator,
        "superuser": superuser,
    }
    shown = comment_place(poll=published, parent=None, name="Ada", body="Hi", status="approved")
    held = comment_place(poll=published, parent=None, name="Bo", body="Hm", status="pending")
    on_draft = comment_place(poll=draft, parent=None, name="Cy", body="Yo", status="approved")
    write_in = make_poll(author=trainer, write_in=True)
    alt = comment_place(
        poll=write_in, name="Di", body="A circle", status="approved", is_alternative=True
    )
    objects = {
        "-": {},
        "pub": {
            "slug": published.slug,
            "object_id": str(published.pk),
            "code": published.join_code,
        },
        "draft": {"slug": draft.slug, "code": draft.join_code},
        "user": {"object_id": str(reader.pk), "id": str(reader.pk)},
        "comment": {"pk": str(shown.pk), "object_id": str(shown.pk)},
        "pending-comment": {"pk": str(held.pk)},
        "draft-comment": {"pk": str(on_draft.pk)},
        "write-in": {"slug": write_in.slug},
        "alt": {"pk": str(alt.pk)},
        "token": {"token": unsubscribe_token(shown)},
        "forged-token": {"token": unsubscribe_token(shown)[:-2] + "xx"},
    }
    return World(users=users, objects=objects)


def routes_by_key():
    return {route.key: route for route in all_routes()}


def client_for(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def send(client: Client, method: str, path: str):
    """One request whose changes (ballots, sessions, ...) are rolled back afterwards."""
    cache.clear()
    with transaction.atomic():
        response = client.get(path) if method == "GET" else client.post(path, {})
        transaction.set_rollback(True)
    return response


def test_every_url_has_a_row():
    keys = {key.split(" [")[0] for key in MATRIX}
    missing = [r.key for r in all_routes() if not r.is_admin and r.key not in keys]
    assert missing == [], f"URLs without a row in MATRIX (decide who may reach them): {missing}"


def test_every_row_names_a_url_that_exists():
    known = routes_by_key()
    stale = [key for key in MATRIX if key.split(" [")[0] not in known]
    assert stale == []


@pytest.mark.parametrize("key", list(MATRIX))
def test_each_role_gets_the_expected_status(world, key):
    on, expected = MATRIX[key]
    route = routes_by_key()[key.split(" [")[0]]
    path = example_path(route.route, world.objects[on])
    clients = {role: client_for(world, role) for role in ROLES}
    wrong = []
    for method, statuses in expected.items():
        for role, status in zip(ROLES, statuses.split(), strict=True):
            actual = send(clients[role], method, path).status_code
            if actual != int(status):
                wrong.append(f"{method} as {role}: expected {status}, got {actual}")
    assert not wrong, "\n".join(wrong)


def test_admin_turns_away_everyone_without_staff_status(world):
    """The rule for all admin URLs: no page for non-staff, only the way to the admin login."""
    admin_routes = [route for route in all_routes() if route.is_admin]
    assert len(admin_routes) > 20
    clients = {role: client_for(world, role) for role in ADMIN_ROLES_WITHOUT_STAFF}
    wrong = []
    for route in admin_routes:
        if route.key == "admin:login" or route.route == "admin/login/":
            continue  # the login page itself (core.views.admin_login serves it, limited)
        path = example_path(route.route, {"app_label": "polls", "url": "no-such-page/"})
        for role in ADMIN_ROLES_WITHOUT_STAFF:
            for method in ("GET", "POST"):
                response = send(clients[role], method, path)
                location = response.headers.get("Location", "")
                # Log out goes to the admin index, which in turn redirects to the login.
                way_out = "/admin/" if route.key == "admin:logout" else "/admin/login/"
                turned_away = response.status_code == 404 or (
                    response.status_code == 302 and location.startswith(way_out)
                )
                if not turned_away:
                    wrong.append(f"{method} {path} as {role}: {response.status_code} {location}")
    assert not wrong, "\n".join(wrong)
