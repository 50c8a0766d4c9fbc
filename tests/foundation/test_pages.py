import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db):
    call_command("load_demo", force=True)


def test_home_page_lists_the_demo_poll(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "How would you define social learning?" in html
    assert "Log in" in html


def test_login_page_has_username_password_and_button(client, db):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Username" in html and "Password" in html
    assert '<button type="submit" class="btn btn-primary">Log in</button>' in html


def test_login_with_demo_trainer_shows_log_out(client, demo):
    response = client.post(
        "/accounts/login/", {"username": "trainer", "password": "socialpoll-demo"}, follow=True
    )
    assert response.status_code == 200
    assert "Log out" in response.content.decode()


def test_unknown_url_gets_the_friendly_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "See the current polls" in html


def test_health_endpoint_answers_ok(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_static_assets_are_served(client, db, settings):
    response = client.get("/static/css/socialpoll.css")
    assert response.status_code == 200
