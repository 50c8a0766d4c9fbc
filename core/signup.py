"""Readers make their own accounts: sign up, confirm the email address, then sign in.

Built from Django's own pieces: ``UserCreationForm`` (username and password, with the
password validators), a ``PasswordResetTokenGenerator`` of its own salt for the link
(signed, expires after PASSWORD_RESET_TIMEOUT, and stops working once the account has
signed in), and the same mail backend as password resets. An account is created inactive
and cannot sign in until its address is confirmed (docs/decisions.md).

An address that already has an account gets an email saying so (with the password-reset
link) instead of a second account, and the page answers alike either way, so sign-up does
not tell strangers which addresses have accounts. Sign-ups are limited per network address
and per email address typed (core/ratelimit.py), since each one sends an email.
"""

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from core.signin import Refusal, address_and_email_refusal

logger = logging.getLogger("socialpoll.signup")


class _ConfirmationTokens(PasswordResetTokenGenerator):
    # Not a password-reset token: a link from one email never works as the other.
    key_salt = "core.signup.confirm-email"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        # Used once: confirming makes the account active, which changes the hash.
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


confirmation_tokens = _ConfirmationTokens()


def signup_refusal(request: HttpRequest, email: str) -> Refusal | None:
    """Count one sign-up; why it must wait, or None."""
    return address_and_email_refusal(
        request,
        email,
        scope="signup",
        limits=(settings.SIGNUP_ADDRESS_LIMIT, settings.SIGNUP_EMAIL_LIMIT),
        window=settings.SIGNUP_WINDOW,
        messages=(
            "Too many accounts were made from your network just now. Please wait {wait} and "
            "try again.",
            "We have already sent several emails to this address in the last hour. Please "
            "check your inbox and spam folder, or try again in {wait}.",
        ),
    )


def _link(name: str, **kwargs) -> str:
    return f"{settings.SITE_URL}{reverse(name, kwargs=kwargs)}"


def _send(template: str, email: str, context: dict) -> None:
    context = {**context, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
    subject = f"Your {settings.SITE_NAME} account"
    body = render_to_string(template, context)
    try:
        send_mail(subject, body, None, [email])
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("Sign-up email to a new reader failed: %s", error)
        raise ValidationError(
            "We could not send the confirmation email just now. Please try again in a few minutes.",
            code="mail_failed",
        ) from None


def account_signup(*, username: str, email: str, password: str) -> None:
    """Create an inactive account and email the link that confirms it; an address that
    has an account already is told so by email, and nothing is created."""
    User = get_user_model()
    existing = User.objects.filter(email__iexact=email).order_by("pk").first()
    if existing is not None and (existing.is_active or existing.last_login is not None):
        _send(
            "registration/signup_existing_email.txt",
            email,
            {"username": existing.get_username(), "reset_url": _link("password_reset")},
        )
        return
    if existing is not None:  # signed up before and never confirmed: the link again
        _send_confirmation(existing)
        return
    with transaction.atomic():  # no account is left behind if the email cannot be sent
        user = User(username=username, email=email, is_active=False)
        user.set_password(password)
        user.save()
        _send_confirmation(user)


def _send_confirmation(user: AbstractBaseUser) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    url = _link("signup_confirm", uidb64=uid, token=confirmation_tokens.make_token(user))
    context = {"username": user.get_username(), "confirm_url": url}
    _send("registration/signup_email.txt", user.email, context)


def account_confirm(*, uidb64: str, token: str) -> AbstractBaseUser | None:
    """Activate the account this link was sent for; None if the link is wrong or old."""
    User = get_user_model()
    try:
        user = User.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError, User.DoesNotExist):
        return None
    if user.is_active or not confirmation_tokens.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def awaits_confirmation(*, username: str, password: str) -> bool:
    """Whether these are the right username and password of an account not yet confirmed
    (the login page then says what to do, not "wrong password")."""
    user = get_user_model().objects.filter(username=username, is_active=False).first()
    return bool(user and user.last_login is None and user.check_password(password))
