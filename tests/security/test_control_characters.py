"""Control characters in one-line fields (issue 12.7).

A carriage return in a poll's question made every notification about that poll fail
(Django refuses a header with a line break: BadHeaderError). Questions, choices and names
are one line: the forms refuse control characters with a message and keep what was typed,
the services refuse them for every other caller, and email subjects are made safe anyway.
"""

import html as html_lib

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from comments.models import Comment
from comments.posting import Author, comment_post
from polls import editing
from polls.models import Poll
from tests.comments.helpers import add, form_data, post_url
from tests.factories import make_poll, make_user, poll_form_data, voter_client

pytestmark = pytest.mark.django_db

MESSAGE = "This must be one line of text"
HOSTILE = {
    "carriage-return": "How would you define social learning?\rBcc: everyone@example.com",
    "line-feed": "Social\nlearning",
    "escape": "\x1b[2J\x1b[31mSocial learning",
    "tab": "Social\tlearning",
    "line-separator": "Social\u2028learning",
    "next-line": "Social\x85learning",
    "bidi-override": "Social \u202elearning",
}


def poll_form(question: str, *choices: str) -> dict:
    return poll_form_data(*choices, question=question, intro="")


@pytest.fixture
def trainer_client(trainer) -> Client:
    client = Client()
    client.force_login(trainer)
    return client


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
def test_a_question_with_a_control_character_is_refused_with_a_message(trainer_client, value):
    response = trainer_client.post("/polls/new/", poll_form(value, "With others", "Alone"))
    assert response.status_code == 400
    page = response.content.decode()
    assert MESSAGE in page
    assert 'value="With others"' in page  # nothing typed is lost
    assert not Poll.objects.exists()


def test_a_choice_with_a_control_character_is_refused_on_its_row(trainer_client):
    data = poll_form("How would you define it?", "With others", "Alone\r\nX-Header: 1")
    response = trainer_client.post("/polls/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert MESSAGE in page
    assert 'value="How would you define it?"' in page
    assert not Poll.objects.exists()


def test_editing_a_question_to_hold_a_carriage_return_is_refused(trainer_client, poll):
    response = trainer_client.post(
        f"/polls/{poll.slug}/edit/", poll_form("Edited?\rBcc: x", "Yes", "No")
    )
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    poll.refresh_from_db()
    assert "\r" not in poll.question


def test_the_admin_refuses_it_too(poll, superuser):
    from tests.comments.helpers import form_fields

    admin = Client()
    admin.force_login(superuser)
    url = f"/admin/polls/poll/{poll.pk}/change/"
    data = form_fields(admin.get(url).content.decode())
    data["question"] = "Edited in the admin?\rBcc: x"
    data["choices-0-text"] = "Yes\x1b[31m"
    response = admin.post(url, data)
    assert response.status_code == 200  # the form again, with the message
    assert response.content.decode().count(MESSAGE) == 2
    poll.refresh_from_db()
    assert "\r" not in poll.question
    assert "\x1b" not in "".join(poll.choices.values_list("text", flat=True))


def test_the_services_refuse_it_for_every_other_caller(poll):
    author = make_user()
    with pytest.raises(ValidationError) as refused:
        editing.poll_create(
            author=author,
            fields={"question": "Line\rbreak"},
            choices=[editing.ChoiceInput(id=None, text=t) for t in ("A", "B")],
            publish=True,
        )
    assert "question" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        editing.poll_choices_set(
            poll=poll, choices=[editing.ChoiceInput(id=None, text=t) for t in ("A", "B\x07")]
        )
    assert "choice-1" in refused.value.message_dict
    with pytest.raises(ValidationError):
        comment_post(poll=poll, author=Author(name="Bea\r\nBcc: x"), body="Hello")
    assert not Comment.objects.exists()


@pytest.mark.parametrize("name", ["Bea\rBcc: x", "\x1b]0;pwned\x07Bea", "Bea\u2029Bcc: x"])
def test_a_commenters_name_with_a_control_character_is_refused_with_the_text_kept(poll, name):
    browser = voter_client()
    response = browser.post(post_url(poll), form_data(browser, name=name, body="My words."))
    assert response.status_code == 400
    page = response.content.decode()
    assert MESSAGE in page
    assert "My words." in page
    assert not Comment.objects.exists()


def test_email_subjects_are_one_line_whatever_is_stored(
    outbox, trainer, django_capture_on_commit_callbacks
):
    # A question stored before this rule (or written around the services) still mails.
    poll = make_poll(author=trainer)
    Poll.objects.filter(pk=poll.pk).update(question="Old\r\nquestion\u2028here\x1b[0m")
    poll.refresh_from_db()
    browser = voter_client()
    add(poll, name="Ada", body="Earlier.", author_key=_key(browser))
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(post_url(poll), form_data(browser, body="A new comment."))
    assert response.status_code == 302
    assert Comment.objects.get(body="A new comment.").status == Comment.Status.APPROVED
    assert len(outbox) == 1
    subject = outbox[0].subject
    assert subject == "New comment on “Old question here [0m”"
    assert html_lib.escape("Old") in outbox[0].body


def _key(browser) -> str:
    from tests.factories import voter_key_of

    return voter_key_of(browser)
