"""The pure parts of the dashboard's defences: loopback names, Host parsing, the CSP, links."""

from __future__ import annotations

import pytest

from linkequity.web.app import _web_link
from linkequity.web.security import _host_name, content_security_policy, is_loopback, new_token


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.3.2.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),  # noqa: S104 - every interface is not loopback
        ("192.168.1.10", False),
        ("localhost.attacker.example", False),
        ("::", False),
    ],
)
def test_loopback_is_this_machine_only(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:8000", "127.0.0.1"),
        ("LocalHost", "localhost"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("evil.example:80", "evil.example"),
        ("", ""),
    ],
)
def test_host_header_names_a_host_without_port(header: str, name: str) -> None:
    assert _host_name(header) == name


def test_the_policy_allows_no_other_source_and_only_the_nonce_script() -> None:
    policy = content_security_policy("abc")
    assert "default-src 'none'" in policy
    assert "script-src 'nonce-abc'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "http" not in policy
    assert "unsafe" not in policy


def test_tokens_are_long_and_fresh() -> None:
    assert len(new_token()) >= 40
    assert new_token() != new_token()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "//evil.example/",
        None,
    ],
)
def test_only_http_urls_become_links(url: str | None) -> None:
    shown = str(_web_link(url))
    assert "<a" not in shown
    assert "<script>" not in shown


def test_a_web_link_is_escaped_and_opens_nothing_of_ours() -> None:
    shown = str(_web_link('https://a.example/?q="><script>x</script>', "<b>t</b>"))
    assert shown.startswith('<a href="https://a.example/?q=&#34;&gt;&lt;script&gt;')
    assert 'rel="noopener noreferrer nofollow"' in shown
    assert "&lt;b&gt;t&lt;/b&gt;</a>" in shown
