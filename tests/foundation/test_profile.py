"""The profile page: the website a signed-in commenter's comments link to."""

import pytest

from core.models import Profile, website_of

pytestmark = pytest.mark.django_db

URL = "/accounts/profile/"


def test_signing_in_is_needed(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_a_website_is_saved_and_shown_again(client, reader):
    client.force_login(reader)
    response = client.post(URL, {"website": "blog.example.org/me"}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    html = response.content.decode()
    assert "Your profile was saved." in html
    assert 'value="https://blog.example.org/me"' in html
    assert website_of(reader) == "https://blog.example.org/me"


def test_a_bad_address_says_why_and_keeps_what_was_typed(client, reader):
    client.force_login(reader)
    response = client.post(URL, {"website": "javascript:alert(1)"})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("Enter a valid URL.") == 1  # said once, under the field
    assert 'value="javascript:alert(1)"' in html
    assert not Profile.objects.exists()


def test_clearing_the_website_keeps_one_profile(client, reader):
    client.force_login(reader)
    client.post(URL, {"website": "https://blog.example.org/"})
    client.post(URL, {"website": ""})
    assert list(Profile.objects.values_list("user", "website")) == [(reader.pk, "")]


def test_the_form_needs_its_csrf_token(reader):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert client.post(URL, {"website": "https://blog.example.org/"}).status_code == 403
    assert website_of(reader) == ""


def test_signed_in_people_find_it_in_the_menu(client, reader):
    assert f'href="{URL}"' not in client.get("/").content.decode()
    client.force_login(reader)
    assert f'href="{URL}"' in client.get("/").content.decode()


def test_staff_clear_a_website_in_the_admin(client, reader):
    from tests.comments.helpers import form_fields
    from tests.factories import make_user

    profile = Profile.objects.create(user=reader, website="https://spam.example/")
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    url = f"/admin/core/profile/{profile.pk}/change/"
    data = form_fields(client.get(url).content.decode())
    data["website"] = ""
    assert client.post(url, data).status_code == 302
    assert website_of(reader) == ""
    assert client.get("/admin/core/profile/add/").status_code == 403  # made by their owner
