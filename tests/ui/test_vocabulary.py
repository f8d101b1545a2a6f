"""The vocabulary page: one term per line, saved normalised; a workspace's list is
read-only to its members; a bad list is refused with the reason and changes nothing."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from conftest import sign_in


def test_edit_own_and_read_workspace_vocabulary(page: Page, server):
    admin_name, _ = server.add_user()
    name, token = server.add_user()
    server.cli("user", "join", admin_name, "--workspace", "ui-vocab", "--admin")
    server.cli("user", "join", name, "--workspace", "ui-vocab")
    sign_in(page, server, token, "/vocabulary")
    expect(page.locator("h1")).to_have_text("Vocabulary")
    own = page.locator("form.vocabulary[data-owner=user]")
    own.locator("textarea").fill("  Zorvane\nQuillatek\n\nzorvane\n")
    own.locator("button[type=submit]").click()
    expect(page.locator("#vocabulary-notice")).to_have_text("Saved 2 term(s).")
    expect(page.locator("form.vocabulary[data-owner=user] textarea")).to_have_value("Zorvane\nQuillatek")

    page.locator("form.vocabulary[data-owner=user] textarea").fill("x" * 61)
    page.locator("form.vocabulary[data-owner=user] button[type=submit]").click()
    expect(page.locator("#vocabulary-error")).to_contain_text("longer than 60 characters")
    expect(page.locator("form.vocabulary[data-owner=user] textarea")).to_have_value("Zorvane\nQuillatek")

    team = page.locator("form.vocabulary[data-owner^='workspace:']")
    expect(team).to_have_count(1)
    expect(team.locator("textarea")).to_have_attribute("readonly", "")
    expect(team.locator("button")).to_have_count(0)
    expect(team).to_contain_text("only the workspace's admins can change it")
