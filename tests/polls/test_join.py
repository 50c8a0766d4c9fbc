"""Join codes and the QR code: /j/<code> opens the poll; the QR holds the join address."""

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings

from polls import editing
from polls.editing import ChoiceInput
from polls.joincodes import ALPHABET, join_code_normalise
from polls.models import Poll
from polls.qr import join_address
from tests.factories import PASSWORD, make_poll, make_user
from tests.polls.qrdecode import decode_bitmap, png_bitmap, svg_bitmap

LOOK_ALIKES = set("0O1lIL")


def created_poll(**fields) -> Poll:
    author = make_user()
    return editing.poll_create(
        author=author,
        fields={"question": "What is a community of practice?", **fields},
        choices=[ChoiceInput(id=None, text="A group"), ChoiceInput(id=None, text="A habit")],
        publish=True,
    )


def test_alphabet_has_no_look_alikes():
    assert not LOOK_ALIKES & set(ALPHABET)
    assert not LOOK_ALIKES & set(ALPHABET.lower())  # typed in lower case, still none


@pytest.mark.django_db
def test_a_created_poll_gets_a_short_code_without_look_alikes():
    codes = {created_poll().join_code for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert 4 <= len(code) <= 8
        assert set(code) <= set(ALPHABET)


@pytest.mark.django_db
def test_the_editing_service_draws_again_when_a_code_is_taken(monkeypatch):
    taken = make_poll().join_code
    draws = iter([taken, taken, "ZZ2345"])
    monkeypatch.setattr(editing, "join_code_random", lambda: next(draws))
    assert created_poll().join_code == "ZZ2345"


@pytest.mark.django_db
def test_join_redirects_to_the_poll_in_any_case():
    poll = make_poll()
    for typed in (poll.join_code, poll.join_code.lower(), poll.join_code.title()):
        response = Client().get(f"/j/{typed}")
        assert response.status_code == 302
        assert response["Location"] == poll.get_absolute_url()
    assert Client().get(f"/j/{poll.join_code.lower()}/")["Location"] == poll.get_absolute_url()


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["ZZZZZZ", "ab", "O0O0O0", "x" * 9, "%3Cscript%3E"])
def test_unknown_or_impossible_codes_are_404(code):
    make_poll(join_code="ABCDEF")
    assert Client().get(f"/j/{code}").status_code == 404


def test_a_drafts_code_leads_nowhere_but_for_its_trainer(trainer):
    poll = make_poll(author=trainer, status=Poll.Status.DRAFT, published_at=None)
    response = Client().get(f"/j/{poll.join_code}")
    assert response.status_code == 404
    assert poll.slug not in response.get("Location", "")
    trainer_client = Client()
    trainer_client.login(username=trainer.username, password=PASSWORD)
    assert trainer_client.get(f"/j/{poll.join_code}")["Location"] == poll.get_absolute_url()


@pytest.mark.django_db
@override_settings(SITE_URL="https://polls.example.org")
def test_the_join_address_is_absolute_from_site_url():
    poll = make_poll(join_code="K7MXQ4")
    assert join_address(poll) == "https://polls.example.org/j/K7MXQ4"


def test_normalising_a_typed_code():
    assert join_code_normalise(" k7m-xq4 ") == "K7MXQ4"
    assert join_code_normalise("K7MXQ0") is None  # 0 is never in a code
    assert join_code_normalise("K7") is None


@pytest.mark.django_db
@override_settings(SITE_URL="https://polls.example.org")
def test_the_svg_download_decodes_to_the_join_address():
    poll = make_poll(join_code="K7MXQ4")
    response = Client().get(f"/polls/{poll.slug}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "attachment" in response["Content-Disposition"]
    svg = response.content.decode()
    assert 'aria-label="QR code for https://polls.example.org/j/K7MXQ4"' in svg
    assert decode_bitmap(svg_bitmap(svg)) == ["https://polls.example.org/j/K7MXQ4"]


@pytest.mark.django_db
@override_settings(SITE_URL="https://polls.example.org")
def test_the_png_download_decodes_to_the_join_address():
    poll = make_poll(join_code="K7MXQ4")
    response = Client().get(f"/polls/{poll.slug}/qr.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert f'filename="{poll.slug}-qr.png"' in response["Content-Disposition"]
    assert decode_bitmap(png_bitmap(response.content)) == ["https://polls.example.org/j/K7MXQ4"]


@pytest.mark.django_db
def test_a_drafts_qr_code_is_404_for_readers():
    poll = make_poll(status=Poll.Status.DRAFT, published_at=None)
    assert Client().get(f"/polls/{poll.slug}/qr.svg").status_code == 404
    assert Client().get(f"/polls/{poll.slug}/qr.png").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_existing_poll_its_own_code():
    executor = MigrationExecutor(connection)
    before, after = (
        [("polls", "0005_single_line_question_and_choices")],
        [("polls", "0006_poll_add_join_code")],
    )
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    User = old_apps.get_model("auth", "User")
    OldPoll = old_apps.get_model("polls", "Poll")
    author = User.objects.create(username="old-trainer")
    for n in range(5):
        OldPoll.objects.create(question=f"Q{n}", slug=f"old-{n}", author=author)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    codes = list(Poll.objects.filter(slug__startswith="old-").values_list("join_code", flat=True))
    assert len(codes) == 5 == len(set(codes))
    assert all(re.fullmatch(f"[{ALPHABET}]{{6}}", code) for code in codes)
    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_a_code_no_poll_has_gets_a_page_to_type_it_again():
    response = Client().get("/j/<b>ZZ")
    html = response.content.decode()
    assert response.status_code == 404
    assert "No poll has the code “&lt;b&gt;ZZ”" in html
    assert '<label for="join-code" class="form-label">Join code</label>' in html


@pytest.mark.django_db
def test_the_join_form_takes_a_typed_code_to_its_poll():
    poll = make_poll(join_code="K7MXQ4")
    assert Client().get("/j/").status_code == 200
    response = Client().get("/j/", {"code": " k7m-xq4 "})
    assert response.status_code == 302
    assert response["Location"] == poll.get_absolute_url()
    assert Client().get("/j/", {"code": "K7MXQ5"}).status_code == 404
