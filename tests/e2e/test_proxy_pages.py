"""The web UI through nginx, at the root and under /parley/: every link, form, script and
redirect a page carries stays inside where nginx serves Parley, and each one answers."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import requests

from proxy_support import Proxy, audio, needs_nginx, proxy, user  # noqa: F401
from support import wait_for

pytestmark = needs_nginx

ATTRIBUTE = re.compile(r'\b(?:href|src|action)="([^"]*)"')


def get(proxy: Proxy, url: str, **kwargs) -> requests.Response:
    return requests.get(url, verify=str(proxy.cert), timeout=30, allow_redirects=False, **kwargs)


def sign_in(proxy: Proxy, token: str) -> dict[str, str]:
    response = requests.post(
        proxy.url + "/login",
        data={"token": token, "next": "/search"},
        headers={"Origin": proxy.origin},
        verify=str(proxy.cert),
        timeout=30,
        allow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["Location"] == proxy.prefix + "/search"
    return {"parley_session": response.cookies["parley_session"]}


def local_urls(proxy: Proxy, html: str) -> list[str]:
    """The page's own URLs (links to other sites and in-page anchors left out), each checked
    to start with the prefix."""
    urls = []
    for value in ATTRIBUTE.findall(html):
        value = value.replace("&amp;", "&")
        if value.startswith("#") or value.startswith("http"):
            continue
        assert value.startswith(proxy.prefix + "/"), f"{value!r} is outside {proxy.prefix or '/'}"
        urls.append(value)
    return urls


def test_sign_in_redirects_stay_under_the_prefix(proxy):
    bare = get(proxy, proxy.url + "/meetings/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12)
    assert bare.status_code == 303
    assert re.match(re.escape(proxy.prefix) + r"/login\?next=(/|%2F)meetings", bare.headers["Location"]), bare.headers[
        "Location"
    ]
    form = get(proxy, urljoin(proxy.origin, bare.headers["Location"]))
    assert form.status_code == 200
    assert f'<form method="post" action="{proxy.prefix}/login"' in form.text
    for url in local_urls(proxy, form.text):
        if "/static/" in url:
            assert get(proxy, proxy.origin + url).status_code == 200, url
    if proxy.prefix:
        # The prefix without its slash goes to the dashboard; nginx's other application keeps the rest.
        assert get(proxy, proxy.origin + proxy.prefix).headers["Location"].endswith(proxy.prefix + "/")
        assert get(proxy, proxy.origin + "/login").text == "another application\n"


def test_every_page_link_answers_under_the_prefix(proxy, user, audio):
    cookies = sign_in(proxy, user.api.token)
    data = audio(4).read_bytes()
    upload = user.request(
        "POST", "/api/v1/meetings", params={"title": "Linked"}, data=data, headers={"Content-Type": "audio/wav"}
    )
    assert upload.status_code == 201, upload.text
    meeting_id = upload.json()["meeting"]["id"]
    user.request("POST", f"/api/v1/meetings/{meeting_id}/cancel")
    wait_for(
        lambda: user.request("GET", f"/api/v1/meetings/{meeting_id}").json()["meeting"]["status"]
        not in ("queued", "processing"),
        60,
        what="the meeting to settle",
    )

    dashboard = get(proxy, proxy.url + "/", cookies=cookies)
    assert dashboard.status_code == 200
    assert f'<meta name="parley-base" content="{proxy.prefix}">' in dashboard.text
    links = local_urls(proxy, dashboard.text)
    assert proxy.prefix + f"/meetings/{meeting_id}" in links
    meeting = get(proxy, proxy.url + f"/meetings/{meeting_id}", cookies=cookies)
    assert meeting.status_code == 200
    links += local_urls(proxy, meeting.text)
    search = get(proxy, proxy.url + "/search", cookies=cookies, params={"q": "linked", "mode": "keyword"})
    assert search.status_code == 200
    links += local_urls(proxy, search.text)
    assert proxy.prefix + f"/api/v1/meetings/{meeting_id}/audio/stream" in links
    checked = set()
    for url in links:
        path = url.split("#", 1)[0]
        if path in checked or path.endswith("/logout"):
            continue
        checked.add(path)
        headers = {"Range": "bytes=0-99"} if "/audio/" in path else {}
        response = get(proxy, proxy.origin + path, cookies=cookies, headers=headers)
        assert response.status_code in (200, 206), (path, response.status_code)
    assert len(checked) >= 8, checked  # assets, navigation, the meeting, its audio and exports
