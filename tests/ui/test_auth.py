"""Signing in and out, the session cookie, and the CSRF rules for cookie-authenticated
API calls."""

from __future__ import annotations

import requests
from playwright.sync_api import Page, expect

from conftest import sign_in, web_session


def test_sign_in_with_token_sets_a_strict_httponly_cookie(page: Page, server, account):
    name, token = account
    page.goto(server.url + "/search?q=hello")
    expect(page).to_have_url(f"{server.url}/login?next=/search%3Fq%3Dhello")
    page.fill("#token", "prl_not-a-real-token")
    page.click("button[type=submit]")
    expect(page.locator("#login-error")).to_contain_text("not valid")
    assert not [c for c in page.context.cookies() if c["name"] == "parley_session"]

    page.fill("#token", token)
    page.click("button[type=submit]")
    # Back where the visitor was going, signed in.
    expect(page).to_have_url(f"{server.url}/search?q=hello")
    expect(page.locator(".signout .username")).to_have_text(name)
    cookie = next(c for c in page.context.cookies() if c["name"] == "parley_session")
    # The cookie is a session of its own, never the API token.
    assert cookie["value"].startswith("pss_") and token not in cookie["value"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/"
    assert cookie["secure"] is False  # plain HTTP on loopback
    # Scripts cannot read it.
    assert "parley_session" not in page.evaluate("document.cookie")


def test_sign_out_clears_the_session(page: Page, server, account):
    sign_in(page, server, account[1])
    expect(page.locator("h1")).to_have_text("Meetings")
    page.click("form.signout button")
    expect(page).to_have_url(f"{server.url}/login")
    assert not [c for c in page.context.cookies() if c["name"] == "parley_session"]
    page.goto(server.url + "/")
    expect(page).to_have_url(f"{server.url}/login?next=/")


def test_pages_without_a_session_redirect_to_login(server):
    for path in ["/", "/search", "/meetings/anything"]:
        response = requests.get(server.url + path, allow_redirects=False, timeout=10)
        assert response.status_code == 303, path
        assert response.headers["Location"].startswith("/login?next="), response.headers["Location"]


def test_login_from_another_origin_is_refused(server, account):
    response = requests.post(
        server.url + "/login",
        data={"token": account[1]},
        headers={"Origin": "http://evil.example"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 403
    assert "set-cookie" not in {key.lower() for key in response.headers}


def test_login_does_not_redirect_off_site(server, account):
    response = requests.post(
        server.url + "/login",
        data={"token": account[1], "next": "//evil.example/x"},
        headers={"Origin": server.url},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_cookie_api_calls_need_the_csrf_header_for_changes(server, account):
    _, token = account
    cookies = {"parley_session": web_session(server.url, token)}
    # Reading with the cookie alone works (the <audio> element and EventSource do this).
    assert requests.get(server.url + "/api/v1/meetings/summary", cookies=cookies, timeout=10).status_code == 200
    # Changing without the page's CSRF value does not.
    refused = requests.delete(server.url + "/api/v1/meetings/nope", cookies=cookies, timeout=10)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "csrf_failed"
    wrong = requests.delete(
        server.url + "/api/v1/meetings/nope", cookies=cookies, headers={"X-Parley-CSRF": "0" * 64}, timeout=10
    )
    assert wrong.status_code == 403
    # With the value the server put in the page's <meta>, the call goes through (404: no such meeting).
    page = requests.get(server.url + "/", cookies=cookies, timeout=10).text
    csrf = page.split('name="parley-csrf" content="', 1)[1].split('"', 1)[0]
    allowed = requests.delete(
        server.url + "/api/v1/meetings/nope", cookies=cookies, headers={"X-Parley-CSRF": csrf}, timeout=10
    )
    assert allowed.status_code == 404, allowed.text
    # Bearer clients are unaffected and a bad bearer token is not rescued by a cookie.
    bearer = requests.delete(
        server.url + "/api/v1/meetings/nope", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert bearer.status_code == 404
    bad = requests.get(
        server.url + "/api/v1/meetings/summary",
        cookies=cookies,
        headers={"Authorization": "Bearer prl_wrong"},
        timeout=10,
    )
    assert bad.status_code == 401


def test_link_from_another_site_opens_the_page_signed_in(page: Page, server, account):
    """SameSite=Strict keeps the cookie off cross-site navigations; the server answers
    those with a same-origin reload, so a link in a chat still opens the page signed in."""
    sign_in(page, server, account[1])
    other_site = server.url.replace("127.0.0.1", "localhost")  # another site to the browser
    page.goto(other_site + "/login")
    page.evaluate(
        """url => {
        const link = document.createElement('a');
        link.href = url; link.id = 'outbound'; link.textContent = 'open';
        document.body.appendChild(link);
    }""",
        server.url + "/search?q=anything",
    )
    answers = []
    page.on("response", lambda response: answers.append(response) if "/search?q=anything" in response.url else None)
    page.click("#outbound")
    expect(page.locator("#q")).to_have_value("anything")
    expect(page.locator(".signout .username")).to_have_text(account[0])
    assert page.url == server.url + "/search?q=anything"
    # First the cross-site request, without the cookie (it got the reload page), then the
    # same-origin one with it.
    headers = [answer.request.all_headers() for answer in answers]
    assert len(headers) == 2, headers
    assert headers[0].get("sec-fetch-site") == "cross-site"
    assert "parley_session" not in headers[0].get("cookie", "")
    assert "parley_session" in headers[1].get("cookie", "")
