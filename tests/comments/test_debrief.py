"""The trainer's debrief: Markdown and CSV with every section, for the trainer alone."""

import csv
import io

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from django.test import Client

from comments import moderation
from comments.debrief import debrief_csv, debrief_markdown, markdown_escape, poll_debrief
from comments.models import Agreement, Comment, Promotion
from polls import lifecycle, voting
from polls.voters import Voter
from tests.comments.helpers import add, unsafe_markup
from tests.factories import make_poll


def voter(name: str) -> Voter:
    return Voter(key=f"anon:{name}", anonymous_id=name)


def as_html(markdown: str) -> str:
    """The Markdown as GitHub would show it, raw HTML let through (what a blog might do)."""
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def agree(comment: Comment, *answers: bool) -> None:
    for index, agrees in enumerate(answers):
        Agreement.objects.create(comment=comment, voter_key=f"anon:ag{index}", agrees=agrees)


@pytest.fixture
def story(trainer):
    """Two rounds, a changed vote, alternatives with answers, one promoted, stances."""
    poll = make_poll(author=trainer, choices=("Alone", "With others"), allow_vote_change=True)
    alone, others = poll.choices.all()
    for name in ("a", "b", "c"):
        voting.ballot_cast(poll=poll, voter=voter(name), choice_ids=[alone.pk])
    voting.ballot_cast(poll=poll, voter=voter("a"), choice_ids=[others.pk])
    poll = lifecycle.poll_round_start(poll=poll)
    for name in ("a", "b"):
        voting.ballot_cast(poll=poll, voter=voter(name), choice_ids=[others.pk])
    liked = add(poll, name="Ada", body="A reading circle", is_alternative=True)
    agree(liked, True, True, False)
    plain = add(poll, name="Ben", body="Four rules of thumb", is_alternative=True)
    agree(plain, True)
    held = add(poll, name="Held", body="Held definition", is_alternative=True, status="pending")
    agree(held, True, True, True, True)
    promoted = promote(poll, liked, trainer)
    supporter = add(poll, name="Cy", body="Alone is how I learn", stance=alone)
    agree(supporter, True)
    add(poll, name="Dee", body="Me too", stance=alone)
    add(poll, name="Spammer", body="Buy now", stance=others, status="spam")
    return poll, promoted


def promote(poll, comment, trainer):
    choice = poll.choices.create(text="A reading circle", position=9)
    return Promotion.objects.create(
        poll=poll,
        comment=comment,
        choice=choice,
        choice_text=choice.text,
        suggested_by=comment.name,
        promoted_by=trainer,
    )


def test_the_markdown_has_every_section(story):
    poll, _ = story
    text = debrief_markdown(poll_debrief(poll=poll))
    assert text.startswith(f"# Debrief: {poll.question}")
    assert "## Results, round 1" in text and "## Results, round 2" in text
    assert "| Alone | 2 | 67% |" in text and "| With others | 2 | 100% |" in text
    assert "Minds changed: 1 voter changed their vote." in text
    assert "| Alone | With others | 1 |" in text
    alternatives = text[text.index("## Alternative definitions") :]
    assert alternatives.index("A reading circle") < alternatives.index("Four rules of thumb")
    assert "| A reading circle | Ada | 2 | 1 | yes |" in text
    assert "- A reading circle, suggested by Ada, added by" in text
    assert "- **Alone**: 2 supporting comments. Most agreed, by Cy (1 agree):" in text
    assert "  > Alone is how I learn" in text


def test_without_agreements_the_first_supporting_comment_speaks_and_is_not_called_most_agreed(
    story,
):
    poll, _ = story
    Agreement.objects.filter(comment__stance__isnull=False).delete()
    text = debrief_markdown(poll_debrief(poll=poll))
    assert "- **Alone**: 2 supporting comments. The first, by Cy:" in text
    assert "Most agreed, by" not in text


def test_held_spam_and_removed_comments_are_never_counted_or_quoted(story, moderator):
    poll, promotion = story
    text = debrief_markdown(poll_debrief(poll=poll))
    for word in ("Held definition", "Buy now", "Spammer"):
        assert word not in text
    assert "- **With others**: 0 supporting comments." in text
    moderation.comment_remove(comment=promotion.comment, actor=moderator)
    text = debrief_markdown(poll_debrief(poll=poll))
    assert "| A reading circle | Ada |" not in text  # no longer a published alternative
    assert "(the comment is no longer available)" in text  # the credit stays


def test_the_csv_has_every_section(story):
    poll, _ = story
    rows = list(csv.reader(io.StringIO(debrief_csv(poll_debrief(poll=poll)))))
    assert rows[0] == ["Debrief", poll.question]
    assert ["1", "Alone", "2", "66.7"] in rows and ["2", "Total voters", "2", ""] in rows
    assert ["1", "", "Alone", "With others", "1"] in rows
    assert ["A reading circle", "Ada", "2", "1", "yes"] in rows
    assert ["Alone", "2", "Cy", "Alone is how I learn", "1"] in rows
    assert any(row[:2] == ["A reading circle", "Ada"] and len(row) == 5 for row in rows)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_look_like_formulas_stay_text(trainer, start):
    poll = make_poll(author=trainer, choices=(f"{start}1+1 choice", "B"))
    add(
        poll,
        name=f"{start}cmd|' /C calc'!A0",
        body=f'{start}HYPERLINK("x")',
        stance=poll.choices.first(),
    )
    rows = list(csv.reader(io.StringIO(debrief_csv(poll_debrief(poll=poll)))))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]
    assert any(cell.startswith("'") for cell in cells)


def test_markdown_escape_keeps_people_s_text_as_text():
    text = "*bold* _it_ [x](javascript:alert(1)) <script>alert(1)</script> a|b `c` &amp;\nnext"
    html = as_html(f"> {markdown_escape(text)}")
    assert unsafe_markup(html) == []
    for tag in ("<em>", "<strong>", "<a ", "<code>", "<script"):
        assert tag not in html
    assert "*bold* _it_ [x](javascript:alert(1))" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&amp;amp;" in html


def test_the_trainer_downloads_both_files(story, trainer):
    poll, _ = story
    client = Client()
    client.force_login(trainer)
    page = client.get(poll.get_absolute_url()).content.decode()
    assert "Download debrief (Markdown)" in page and "Download debrief (CSV)" in page
    md = client.get(f"/polls/{poll.slug}/debrief.md")
    assert md.status_code == 200 and md["Content-Type"].startswith("text/markdown")
    assert md["Content-Disposition"] == f'attachment; filename="{poll.slug}-debrief.md"'
    assert "## Alternative definitions" in md.content.decode()
    sheet = client.get(f"/polls/{poll.slug}/debrief.csv")
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("text/csv")


def test_nobody_else_gets_the_debrief(story, other_trainer, reader):
    poll, _ = story
    for user in (other_trainer, reader):
        client = Client()
        client.force_login(user)
        for fmt in ("md", "csv"):
            assert client.get(f"/polls/{poll.slug}/debrief.{fmt}").status_code == 403
        assert "Download debrief" not in client.get(poll.get_absolute_url()).content.decode()
    response = Client().get(f"/polls/{poll.slug}/debrief.md")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client = Client()
    client.force_login(reader)
    assert client.get("/polls/no-such-poll/debrief.md").status_code == 404
    assert client.get(f"/polls/{poll.slug}/debrief.txt").status_code == 404
