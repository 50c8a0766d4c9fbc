"""The Big List of Naughty Strings through every public form field.

Every string of the list (485 in blns 2.0.4) goes through the code that reads the field
(the vote's choice parser, the comment form, the poll form and its choice rows), which must
accept it as typed (trimmed) or refuse it with a ValidationError, never raise anything
else. A sample spread over the whole list (every SAMPLE_EVERY-th string, and every string
the parser accepts) goes through the full stack as well, one HTTP request per string and
form: no response is a 5xx, and whatever the site accepted comes back on the page
byte-for-byte, HTML-escaped (forms trim surrounding whitespace, as Django's CharField
does; poll choices also collapse inner runs of whitespace). Log in sends every string
over HTTP: its form is the page.

Fields: vote (choice), log in (username + password), comment (name + body together,
email, website), new poll (question + intro + Choice 1 together).
"""

import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils.html import escape

from comments.forms import CommentForm, form_token
from comments.models import Comment
from polls.forms import ChoiceFormSet, PollForm
from polls.models import Ballot
from polls.results import count_results
from polls.voters import Voter
from polls.voting import parse_choice_ids
from tests.comments.helpers import served_token
from tests.factories import make_poll, poll_form_data

pytestmark = pytest.mark.django_db

PER_POLL = 40  # keeps each poll's discussion on one page while checking
SAMPLE_EVERY = 6  # of the list, through full pages (about 80 strings per field)


def sample(strings: list[str], *always: str) -> list[str]:
    """Every SAMPLE_EVERY-th string, offset so the sample spreads over the list, plus
    `always` (strings a field accepts, which must be shown back)."""
    picked = strings[SAMPLE_EVERY // 2 :: SAMPLE_EVERY]
    return picked + [text for text in always if text not in picked]


@pytest.fixture
def open_limits(settings):
    settings.POLLS_VOTE_RATE_LIMIT = 100_000
    settings.COMMENTS_RATE_LIMIT = 100_000
    settings.COMMENTS_HOLD_FIRST_TIME_ANONYMOUS = False
    settings.COMMENTS_MAX_LINKS = 1000
    settings.COMMENTS_MODERATION_WORDS = []
    settings.COMMENTS_DISALLOWED_WORDS = []


def chunks(strings: list[str], size: int):
    for start in range(0, len(strings), size):
        yield strings[start : start + size]


def test_vote_choice_parser_reads_ids_and_refuses_everything_else(blns):
    problems = []
    for text in blns:
        try:
            parsed = parse_choice_ids([text])
        except ValidationError:
            parsed = None
        if parsed != ([_int_or_none(text)] if _int_or_none(text) else None):
            problems.append(f"{text!r}: read as {parsed!r}")
    assert not problems, "\n".join(problems)


def test_vote_choice_field(blns, open_limits):
    poll = make_poll()
    choice_ids = set(poll.choices.values_list("pk", flat=True))
    problems = []
    for text in sample(blns, *(t for t in blns if _int_or_none(t) in choice_ids)):
        # A new browser each time, so "already voted" never hides what the string did.
        client = Client(raise_request_exception=False)
        response = client.post(f"/polls/{poll.slug}/vote/", {"choice": text})
        expected = 302 if _int_or_none(text) in choice_ids else 400
        if response.status_code != expected:
            problems.append(f"{text!r}: {response.status_code}, expected {expected}")
    assert not problems, "\n".join(problems)
    assert count_results(poll).total == Ballot.objects.filter(poll=poll).count()


def _int_or_none(text: str) -> int | None:
    """A choice id as a form sends it: plain ASCII digits (spaces around them are fine)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def test_login_username_and_password(blns, client, reader, settings):
    # Hundreds of wrong passwords from one address: past the sign-in limits (tested in
    # test_signin_limits.py); here every string must reach the form and come back escaped.
    settings.SIGNIN_ADDRESS_FAILURES = settings.SIGNIN_ACCOUNT_FAILURES = 10_000
    problems = []
    for text in blns:
        response = client.post("/accounts/login/", {"username": text, "password": text})
        if response.status_code != 200:
            problems.append(f"{text!r}: {response.status_code}")
            continue
        html = response.content.decode()
        if text and f'value="{escape(text)}"' not in html:
            problems.append(f"{text!r}: username not shown back escaped")
        if "Log out" in html:
            problems.append(f"{text!r}: logged in!")
    assert not problems, "\n".join(problems)


def post_comment(client, poll, **fields):
    data = {
        "name": "Ada",
        "email": "ada@example.com",
        "website": "",
        "body": "A plain comment.",
        "served": served_token(client),
        "homepage": "",
    }
    data.update(fields)
    return client.post(f"/polls/{poll.slug}/comments/", data)


def comment_from(response) -> Comment:
    """The comment a successful post redirected to (its #comment-<pk> anchor)."""
    anchor = response.headers["Location"].rsplit("#comment-", 1)
    assert len(anchor) == 2, response.headers["Location"]
    return Comment.objects.get(pk=int(anchor[1]))


def comment_form(poll, **fields) -> CommentForm:
    voter = Voter(key="anon:naughty", anonymous_id="naughty")
    served = form_token(voter_key=voter.key, served_at=time.time() - 60)
    data = {"name": "Ada", "email": "ada@example.com", "body": "A plain comment."}
    data.update(served=served, **fields)
    return CommentForm(data, poll=poll, voter=voter)


def test_comment_form_takes_every_string_as_typed_or_refuses_it(blns, open_limits):
    poll = make_poll()
    problems = []
    emails_accepted = 0
    for text in blns:
        form = comment_form(poll, name=text, body=text)
        if form.is_valid() and (form.cleaned_data["name"], form.cleaned_data["body"]) != (
            text.strip(),
            text.strip(),
        ):
            problems.append(f"{text!r}: read as {form.cleaned_data['name']!r}")
        emails_accepted += comment_form(poll, email=text).is_valid()
        form = comment_form(poll, website=text)
        website = form.cleaned_data.get("website", "") if form.is_valid() else ""
        if website and not website.startswith(("http://", "https://")):
            problems.append(f"{text!r}: a non-web link {website!r}")
    assert not problems, "\n".join(problems)
    assert emails_accepted < len(blns) / 2, "the email field accepts nearly anything"


def test_comment_name_and_body(blns, client, open_limits):
    problems = []
    for batch in chunks(sample(blns), PER_POLL):
        poll = make_poll()
        accepted = []
        for text in batch:
            response = post_comment(client, poll, name=text, body=text)
            if response.status_code not in (302, 400):
                problems.append(f"{text!r}: {response.status_code}")
            elif response.status_code == 302:
                accepted.append((text, comment_from(response)))
        html = client.get(poll.get_absolute_url()).content.decode()
        for text, comment in accepted:
            if (comment.name, comment.body) != (text.strip(), text.strip()):
                problems.append(f"{text!r}: stored as {comment.name!r} / {comment.body!r}")
            elif f"{escape(comment.name)}</" not in html:
                problems.append(f"{text!r}: name not shown back escaped")
            elif f'id="comment-{comment.pk}"' not in html:
                problems.append(f"{text!r}: comment missing from the page")
    assert not problems, "\n".join(problems)


def test_comment_email_is_accepted_safely_and_never_shown(blns, client, open_limits):
    problems = []
    accepted_count = 0
    for batch in chunks(sample(blns), PER_POLL):
        poll = make_poll()
        accepted = []
        for number, text in enumerate(batch):
            response = post_comment(client, poll, email=text, body=f"Email test {number}")
            if response.status_code not in (302, 400):
                problems.append(f"{text!r}: {response.status_code}")
            elif response.status_code == 302:
                accepted.append((number, text))
        html = client.get(poll.get_absolute_url()).content.decode()
        for number, text in accepted:
            accepted_count += 1
            comment = Comment.objects.get(poll=poll, body=f"Email test {number}")
            if f'id="comment-{comment.pk}"' not in html:
                problems.append(f"{text!r}: comment missing from the page")
            if escape(comment.email) in html:
                problems.append(f"{text!r}: the private email is on the page")
    assert not problems, "\n".join(problems)


def test_comment_website(blns, client, open_limits):
    problems = []
    for batch in chunks(sample(blns), PER_POLL):
        poll = make_poll()
        accepted = []
        for number, text in enumerate(batch):
            response = post_comment(
                client, poll, name=f"Site tester {number}", website=text, body=f"Site {number}"
            )
            if response.status_code not in (302, 400):
                problems.append(f"{text!r}: {response.status_code}")
            elif response.status_code == 302:
                accepted.append((number, text))
        html = client.get(poll.get_absolute_url()).content.decode()
        for number, text in accepted:
            comment = Comment.objects.get(poll=poll, name=f"Site tester {number}")
            if not comment.website:
                continue  # blank after trimming: no link
            if not comment.website.startswith(("http://", "https://")):
                problems.append(f"{text!r}: stored as a non-web link {comment.website!r}")
            link = f'<a href="{escape(comment.website)}" rel="nofollow ugc">'
            if link not in html:
                problems.append(f"{text!r}: link not shown back escaped")
    assert not problems, "\n".join(problems)


def new_poll_form(text: str) -> dict:
    return poll_form_data(
        text,
        "Something else altogether",
        question=text,
        intro=text,
        results_visibility="always",
        multiple="",
        allow_vote_change="",
    )


def test_poll_form_takes_every_string_as_typed_or_refuses_it(blns):
    problems = []
    accepted = 0
    for text in blns:
        data = new_poll_form(text)
        form, choices = PollForm(data), ChoiceFormSet(data, prefix="choices")
        if not (form.is_valid() and choices.is_valid()):
            continue  # refused with the form shown again (blank, too long, ...)
        accepted += 1
        read = (form.cleaned_data["question"], form.cleaned_data["intro"])
        if read != (text.strip(), text.strip()):
            problems.append(f"{text!r}: read as {read!r}")
        if choices.forms[0].cleaned_data["text"] != text.strip():
            problems.append(f"{text!r}: choice read as {choices.forms[0].cleaned_data['text']!r}")
    assert not problems, "\n".join(problems)
    assert accepted > len(blns) * 0.9, f"only {accepted} of {len(blns)} accepted"


def test_new_poll_question_intro_and_choice(blns, client, trainer):
    client.force_login(trainer)
    problems = []
    accepted = 0
    strings = sample(blns)
    for text in strings:
        response = client.post("/polls/new/", new_poll_form(text))
        if response.status_code == 400:
            continue  # refused with the form shown again (blank, too long, ...)
        if response.status_code != 302:
            problems.append(f"{text!r}: {response.status_code}")
            continue
        accepted += 1
        page = client.get(response.headers["Location"])
        poll = page.context["poll"] if page.context else None
        html = page.content.decode()
        if page.status_code != 200 or poll is None:
            problems.append(f"{text!r}: poll page answered {page.status_code}")
        elif (poll.question, poll.intro) != (text.strip(), text.strip()):
            problems.append(f"{text!r}: stored as {poll.question!r} / {poll.intro!r}")
        elif f">{escape(poll.question)}</h1>" not in html:
            problems.append(f"{text!r}: question not shown back escaped")
        # Choices are stored with runs of whitespace collapsed (polls/services.py), so two
        # choices that look the same are the same.
        elif f">{escape(' '.join(text.split()))}</label>" not in html:
            problems.append(f"{text!r}: choice not shown back escaped")
    assert not problems, "\n".join(problems)
    assert accepted > len(strings) * 0.9, f"only {accepted} of {len(strings)} accepted"
