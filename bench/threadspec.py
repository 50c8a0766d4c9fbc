"""The seeded random discussion that bench/thread.py builds in socialpoll and in its peer.

Pure standard library on purpose: the socialpoll side imports it from the project's
virtualenv, the django-comments-xtd side from its own throwaway one, and both must get
exactly the same thread for the same (n, seed, max_depth).
"""

import random
from dataclasses import dataclass

APPROVED = "approved"
PENDING = "pending"  # held for moderation: not shown to readers
REMOVED = "removed"  # removed by a moderator: a placeholder where it has replies
SPAM = "spam"

USER_POOL = 40  # signed-in commenters the comments are shared between

_WORDS = (  # noqa: SIM905 - reads better as prose
    "learning people social course forum workshop trainer together informal practice "
    "network chat peers definition channel community feedback reflection colleagues "
    "experience knowledge share discussion question answer example online room team "
    "manager programme invest organisation expect tools media blend coaching mentoring"
).split()


@dataclass(frozen=True)
class SpecComment:
    index: int
    parent: int | None  # index of the parent comment, None for a top-level comment
    depth: int  # 0 for top level, up to max_depth - 1
    user: int | None  # index into the signed-in user pool, None for an anonymous comment
    name: str
    email: str
    url: str
    text: str
    status: str
    minute: int  # minutes after the poll was published


def _text(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 40))]
        paragraphs.append(" ".join(words).capitalize() + ".")
    roll = rng.random()
    if roll < 0.1:
        paragraphs.append(f"See https://example.com/notes/{rng.randint(1, 999)} for more.")
    elif roll < 0.15:
        paragraphs.append("\n".join(f"- {rng.choice(_WORDS)}" for _ in range(3)))
    return "\n\n".join(paragraphs)


def build_thread(n: int, *, seed: int = 2026, max_depth: int = 3) -> list[SpecComment]:
    """n comments in posting order; parents always come before their replies.

    About a third are top level, the rest reply to a random earlier visible comment whose
    depth allows a reply. Half are by signed-in users. About 4 % are held (pending) and
    2 % spam, always leaves since nobody sees them to reply; 4 % are removed afterwards,
    which leaves a placeholder (tombstone) wherever the removed comment has replies.
    """
    rng = random.Random(f"{seed}:{n}:{max_depth}")
    comments: list[SpecComment] = []
    can_parent: list[int] = []
    for index in range(n):
        parent = None
        if can_parent and rng.random() > 0.35:
            parent = rng.choice(can_parent)
        depth = 0 if parent is None else comments[parent].depth + 1
        roll = rng.random()
        status = PENDING if roll < 0.04 else SPAM if roll < 0.06 else APPROVED
        user = rng.randrange(USER_POOL) if rng.random() < 0.5 else None
        if user is None:
            name = f"Reader {index}"
            email = f"reader{index}@example.com"
            url = f"https://reader{index}.example.org/" if rng.random() < 0.3 else ""
        else:
            name = f"member{user}"
            email = f"member{user}@example.com"
            url = ""
        comments.append(
            SpecComment(
                index=index,
                parent=parent,
                depth=depth,
                user=user,
                name=name,
                email=email,
                url=url,
                text=_text(rng),
                status=status,
                minute=index,
            )
        )
        if status == APPROVED and depth < max_depth - 1:
            can_parent.append(index)
    # Removal happens after replies were posted, so some removed comments have replies.
    removed = set(rng.sample(range(n), k=round(n * 0.04)))
    return [
        SpecComment(**{**c.__dict__, "status": REMOVED})
        if c.index in removed and c.status == APPROVED
        else c
        for c in comments
    ]


def visible_count(comments: list[SpecComment]) -> dict[str, int]:
    """What a reader should see: approved comments, and tombstones for removed parents."""
    has_visible_reply: set[int] = set()
    # Walk backwards so a removed comment knows whether anything below it is shown.
    shown: set[int] = set()
    for c in reversed(comments):
        if c.status == APPROVED or (c.status == REMOVED and c.index in has_visible_reply):
            shown.add(c.index)
            if c.parent is not None:
                has_visible_reply.add(c.parent)
    approved = sum(1 for c in comments if c.status == APPROVED)
    return {"approved": approved, "tombstones": len(shown) - approved, "shown": len(shown)}
