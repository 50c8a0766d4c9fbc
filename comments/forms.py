import hashlib
import secrets
import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS

from comments.alternatives import DEFINITION_MAX_LENGTH
from comments.models import Comment
from comments.posting import comment_body_check
from core.models import website_of
from core.text import single_line
from core.websites import website_field
from polls.models import Choice, Poll
from polls.voters import Voter

_TOKEN_SALT = "comments.form-served-at"  # noqa: S105 - a signing salt, not a secret
FRESH_NAME = "comments.served"  # the form's per-response value (core/perrequest.py)


def _voter_mark(voter_key: str) -> str:
    # The token is readable in the page; the voter's id (an HttpOnly cookie) is not put there.
    return hashlib.sha256(f"{_TOKEN_SALT}:{voter_key}".encode()).hexdigest()[:16]


def form_token(*, voter_key: str, served_at: float | None = None) -> str:
    """A signed note of when the form was served, to whom, with a one-time number.

    Bots post faster than people type; a token is accepted once (its number is stored
    with the comment) and only from the browser it was served to.
    """
    served_at = served_at if served_at is not None else time.time()
    return signing.dumps(
        {"t": round(served_at, 3), "v": _voter_mark(voter_key), "n": secrets.token_hex(8)},
        salt=_TOKEN_SALT,
    )


def _token_parts(value: str) -> tuple[float, str, str]:
    """(served at, voter mark, one-time number) of a form token; ValueError if not ours."""
    try:
        token = signing.loads(value, salt=_TOKEN_SALT)
        return float(token["t"]), str(token["v"]), str(token["n"])
    except (signing.BadSignature, TypeError, ValueError, KeyError):
        raise ValueError("not a form token") from None


def first_shown_at(*, voter_key: str, earlier_token: str = "") -> float:
    """When this person was first shown a comment form on the page: the time in the token
    of the page's form (a reply form opened later starts its clock there, so a reader who
    read for a minute and pastes a reply is not "too fast"); now if that token is not this
    browser's or has expired."""
    now = time.time()
    try:
        served_at, mark, _ = _token_parts(earlier_token)
    except ValueError:
        return now
    if mark != _voter_mark(voter_key) or not 0 <= now - served_at <= settings.COMMENTS_FORM_MAX_AGE:
        return now
    return served_at


LATEST_POST_FROM_PROFILE = (
    "We link the newest post of the website on your profile under your comment."
)


class CommentForm(forms.Form):
    name = forms.CharField(label="Name", max_length=80, validators=[single_line])
    email = forms.EmailField(
        label="Email", max_length=254, help_text="Never shown. Used only for reply emails."
    )
    website = website_field()
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 5}))
    notify = forms.BooleanField(label="Notify me of replies", required=False)
    remember = forms.BooleanField(
        label="Remember me",
        required=False,
        help_text="Keeps your name, email and website in this browser (a cookie) for your "
        "next comment. Untick it and post to forget them.",
    )
    show_latest_post = forms.BooleanField(
        # Not "... under my comment": a second label with "Comment" in it would make the
        # comment box ambiguous to find by its label (the UI contract; docs/decisions.md).
        label="Show my latest blog post",
        required=False,
        help_text="We link the newest post of your website's feed under your comment.",
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    served = forms.CharField(
        required=False, widget=forms.HiddenInput(attrs={"data-fresh": FRESH_NAME})
    )
    # The honeypot: hidden from people (and from assistive technology), filled in by bots.
    homepage = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(
        self,
        *args,
        poll: Poll,
        voter: Voter,
        user=None,
        shown_since: str = "",
        choices: list | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.poll = poll
        self.voter = voter
        self.user = user if user is not None and user.is_authenticated else None
        # No max_length here: it would put `maxlength` on the textarea, and browsers cut a
        # longer paste without a word. clean_body says how much too long, keeping the text;
        # data-maxlength drives the live counter (static/js/comment-counter.js).
        self.fields["body"] = forms.CharField(
            label="Comment",
            widget=forms.Textarea(
                attrs={"rows": 5, "data-maxlength": settings.COMMENTS_MAX_LENGTH}
            ),
            help_text="Paragraphs, lists, *emphasis* and links work; other markup shows as text.",
        )
        # The poll page passes the choices it has read already (no query of our own).
        self.stance_choices = {
            choice.pk: choice
            for choice in (choices if choices is not None else Choice.objects.filter(poll=poll))
        }
        self.fields["stance"] = forms.TypedChoiceField(
            label="Which definition does your comment support?",
            choices=[("", "None in particular")]
            + [(pk, choice.text) for pk, choice in self.stance_choices.items()],
            coerce=int,
            empty_value=None,
            required=False,
            # A list box, not radio buttons: the vote form above already has one radio button
            # per choice with the choice as its label, and two controls named alike would
            # be one too many for a screen reader's list of controls (and for tests).
            widget=forms.Select(attrs={"class": "form-select"}),
            help_text="Optional. Results show how many comments support each definition.",
        )
        self.order_fields(["name", "email", "website", "body", "stance"])
        self.user_website = ""
        if self.user is not None:
            self._fit_to_account()
        if not self.is_bound:
            served_at = first_shown_at(voter_key=voter.key, earlier_token=shown_since)
            self.initial.setdefault("served", form_token(voter_key=voter.key, served_at=served_at))

    def _fit_to_account(self) -> None:
        """A signed-in person's name and email are their account's, and their website the
        one on their profile (core/profile_views.py): no fields for those."""
        for name in ("name", "email", "website", "remember"):
            del self.fields[name]
        self.user_website = website_of(self.user)
        if not self.user_website:
            del self.fields["show_latest_post"]
            return
        self.fields["show_latest_post"].help_text = LATEST_POST_FROM_PROFILE

    @property
    def is_reply(self) -> bool:
        value = self.data.get("reply_to") if self.is_bound else self.initial.get("reply_to")
        return bool(value)

    @property
    def profile_hint(self) -> bool:
        """Whether to tell a signed-in person that a website on their profile lets them
        show their latest blog post."""
        return self.user is not None and not self.user_website

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("homepage"))

    def clean_body(self) -> str:
        return comment_body_check(body=self.cleaned_data["body"])

    def clean(self) -> dict:
        # Errors on hidden fields are reported for the whole form, where people can see them.
        cleaned = super().clean()
        try:
            cleaned["reply_to"] = self._reply_target(cleaned.get("reply_to"))
        except forms.ValidationError as error:
            self.add_error(None, error)
        if "reply_to" in self.errors:  # not a number: a tampered form
            del self.errors["reply_to"]
            self.add_error(
                None,
                forms.ValidationError(
                    "The comment you were replying to is no longer available.",
                    code="bad_parent",
                ),
            )
        website = cleaned.get("website") or self.user_website
        website_missing = not website and "website" not in self.errors
        if cleaned.get("show_latest_post") and website_missing:
            self.add_error(
                "show_latest_post",
                forms.ValidationError(
                    "Give your website's address to show your latest post, or untick this.",
                    code="latest_post_needs_website",
                ),
            )
        try:
            cleaned["form_nonce"] = self._check_served(self.data.get("served") or "")
        except forms.ValidationError as error:
            self.add_error(None, error)
        return cleaned

    def clean_stance(self) -> Choice | None:
        pk = self.cleaned_data.get("stance")
        return self.stance_choices.get(pk) if pk is not None else None

    def _reply_target(self, pk: int | None) -> Comment | None:
        if not pk:
            return None
        comment = Comment.objects.filter(
            pk=pk, poll=self.poll, status=Comment.Status.APPROVED
        ).first()
        if comment is None:
            raise forms.ValidationError(
                "The comment you were replying to is no longer available.", code="bad_parent"
            )
        return comment

    def _check_served(self, value: str) -> str:
        """The form's one-time number, if it was served to this browser at a human pace."""
        expired = forms.ValidationError(
            "This form has expired. Please post your comment again.", code="expired"
        )
        try:
            served_at, mark, nonce = _token_parts(value)
        except ValueError:
            raise expired from None
        if mark != _voter_mark(self.voter.key):
            if self.voter.is_new:  # the browser did not send back the cookie it was given
                raise forms.ValidationError(
                    "Your browser did not send back this site's cookie. Please allow cookies "
                    "for this site, then post your comment again.",
                    code="expired",
                )
            raise expired
        age = time.time() - served_at
        if age < settings.COMMENTS_MIN_SUBMIT_SECONDS:
            raise forms.ValidationError(
                "That was quicker than anyone can type. Please check your comment and post it "
                "again.",
                code="too_fast",
            )
        if age > settings.COMMENTS_FORM_MAX_AGE:
            raise expired
        return nonce

    def focus(self) -> None:
        """Put the cursor where the person should look: the first field with an error, else
        the first field to fill in (htmx honours autofocus on content it swaps in)."""
        visible = [
            name
            for name, field in self.fields.items()
            if not field.widget.is_hidden and name != "homepage"
        ]
        target = next((name for name in visible if name in self.errors), visible[0])
        self.fields[target].widget.attrs["autofocus"] = True

    def renew_expired_token(self) -> None:
        """An expired, missing or used token is replaced, so the person can post again soon."""
        if self.is_bound and (
            self.has_error(NON_FIELD_ERRORS, "expired")
            or self.has_error(NON_FIELD_ERRORS, "form_used")
        ):
            data = self.data.copy()
            data["served"] = form_token(voter_key=self.voter.key)
            self.data = data

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper(self)
        helper.form_tag = False
        helper.disable_csrf = True
        fields = [name for name in self.fields if name not in {"homepage", "reply_to", "served"}]
        helper.layout = Layout(
            *fields,
            "reply_to",
            "served",
            Div("homepage", css_class="visually-hidden", aria_hidden="true"),
        )
        return helper


class DefinitionForm(CommentForm):
    """The write-in composer: "Your definition" (and name and email for readers without an
    account), posted as an alternative definition."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "id_definition_%s")
        super().__init__(*args, **kwargs)
        # No max_length, as for comments: a longer paste is kept and refused with numbers.
        self.fields["body"] = forms.CharField(
            label="Your definition",
            widget=forms.Textarea(attrs={"rows": 3, "data-maxlength": DEFINITION_MAX_LENGTH}),
            help_text=f"One or two sentences, at most {DEFINITION_MAX_LENGTH} characters. "
            "Others can agree with it, and the trainer may add it to the poll.",
        )
        del self.fields["reply_to"]
        del self.fields["notify"]
        self.order_fields(["body"])

    @property
    def is_reply(self) -> bool:
        return False

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        return comment_body_check(body=body, limit=DEFINITION_MAX_LENGTH, what="definition")

    def _reply_target(self, pk: int | None) -> None:
        return None

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper(self)
        helper.form_tag = False
        helper.disable_csrf = True
        fields = [name for name in self.fields if name not in {"homepage", "served"}]
        helper.layout = Layout(
            *fields, "served", Div("homepage", css_class="visually-hidden", aria_hidden="true")
        )
        return helper
