from django.apps import AppConfig


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from comments import delivery  # noqa: F401 - connects the mail-delivery retry
        from comments.discussion import ANSWERED_COOKIE, OWN_COOKIE
        from comments.forms import FRESH_NAME, form_token
        from comments.promotion import choice_credits
        from comments.remember import COMMENTER_COOKIE
        from core import choicecredit, perrequest
        from polls.voters import voter_for_request

        # The poll page, cached whole for first-time readers, holds the comment form: its
        # "served at" token is made fresh for each of them, and a reader who has comments
        # awaiting moderation sees them, so gets a page of their own.
        perrequest.fresh_value(
            FRESH_NAME, lambda request: form_token(voter_key=voter_for_request(request).key)
        )
        perrequest.personal_cookie(OWN_COOKIE)
        # "Remember me" fills the comment form in with this reader's own details.
        perrequest.personal_cookie(COMMENTER_COOKIE)
        # A reader who answered an alternative definition sees their answers marked.
        perrequest.personal_cookie(ANSWERED_COOKIE)
        # "suggested by NAME" beside a promoted choice, linking to its comment.
        choicecredit.credit_source(choice_credits)
