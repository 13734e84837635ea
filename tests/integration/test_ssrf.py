"""SSRF: DNS rebinding, redirects inside and 127.0.0.1 spelt every way, over real connections.

The rebinding cases need a *public* address that answers without leaving the
machine: ``tests/ssrf_netns.py`` plays them in a user and network namespace of
its own (``unshare -rn``), where 93.184.215.14 lives on the loopback interface
beside servers on 127.0.0.1, ::1 and 10.9.9.9 that count what reaches them. A
scripted resolver, through the fetcher's resolver seam, answers a host's
lookups in turn: first the public address, then 127.0.0.1. The verdicts: the
internal servers see no request, the refused URL is recorded with the reason
and the crawl goes on; the control (``allow_private``) shows that the same
script does reach 127.0.0.1 when the guard is off.

Without user namespaces (``unshare -rn`` refused) those cases are skipped and
say so; the spelling cases below run anywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import web

from linkequity.crawl.http_fetcher import HttpFetcher
from linkequity.errors import AddressRefused, FetchFailed, InvalidUrl

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytestmark = pytest.mark.loopback

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "93.184.215.14"
LOOPBACK_REASON = "resolves to 127.0.0.1, a loopback address"
#: Seconds the namespace's scenarios may take (about 2 s here).
NETNS_S = 120.0


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    probe = subprocess.run(  # noqa: S603 - fixed command
        ["unshare", "-rn", "ip", "link", "set", "lo", "up"],  # noqa: S607 - from the PATH
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.fixture(scope="module")
def played() -> dict[str, Any]:
    """Every scenario of ``tests/ssrf_netns.py``, played once in a namespace of its own."""
    if not _namespaces_work():
        pytest.skip("needs unprivileged user and network namespaces (unshare -rn) and iproute2")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    child = subprocess.run(  # noqa: S603 - our own interpreter and script
        ["unshare", "-rn", sys.executable, str(ROOT / "tests" / "ssrf_netns.py")],  # noqa: S607
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=NETNS_S,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    outcomes: dict[str, Any] = json.loads(child.stdout.splitlines()[-1])
    return outcomes


def _reached_inside(outcome: dict[str, Any]) -> list[str]:
    return list(outcome["hits"]["internal"])


def test_rebinding_between_robots_txt_and_the_page_is_refused(played: dict[str, Any]) -> None:
    outcome = played["robots_then_page"]
    assert _reached_inside(outcome) == []
    assert "rebind.example/robots.txt" in outcome["hits"]["public"]
    assert [answer for host, answer in outcome["lookups"] if host == "rebind.example"] == [
        [PUBLIC],
        ["127.0.0.1"],
    ]
    state, status, reason = outcome["states"]["http://rebind.example/page-1"]
    assert (state, status) == ("failed", None)
    assert reason == f"cannot fetch http://rebind.example/page-1: rebind.example {LOOPBACK_REASON}"
    # the crawl went on with the other host
    assert outcome["states"]["http://other.example/page-1"] == ["done", 200, None]


def test_rebinding_between_two_pages_of_one_host_is_refused(played: dict[str, Any]) -> None:
    outcome = played["two_pages"]
    assert _reached_inside(outcome) == []
    states = outcome["states"]
    fetched = {url.split("?")[0]: state for url, state in states.items()}
    refused = [url for url, state in fetched.items() if state[0] == "failed"]
    assert len(refused) == 1
    assert fetched[refused[0]][2].endswith(f"rebind.example {LOOPBACK_REASON}")
    # the first page, and the page looked up after the refusal, were fetched
    done = sorted(url for url, state in fetched.items() if state == ["done", 200, None])
    assert len(done) == 2
    assert "http://rebind.example/page-1" in done
    assert len(outcome["hits"]["public"]) == 3  # robots.txt and the two pages


def test_rebinding_after_a_redirect_is_refused(played: dict[str, Any]) -> None:
    outcome = played["after_redirect"]
    assert _reached_inside(outcome) == []
    assert outcome["states"]["http://rebind.example/to-same-host"] == ["done", 301, None]
    state, _, reason = outcome["states"]["http://rebind.example/inside"]
    assert state == "failed"
    assert reason.endswith(f"rebind.example {LOOPBACK_REASON}")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://rebound.example/inside", f"rebound.example {LOOPBACK_REASON}"),
        ("http://127.0.0.1/inside", "127.0.0.1 is a loopback address"),
        ("http://[::1]/inside", "::1 is a loopback address"),
        ("http://[::ffff:7f00:1]/inside", "::ffff:7f00:1 is a loopback address"),
        ("http://10.9.9.9/inside", "10.9.9.9 is a private address"),
        ("http://localhost/inside", f"localhost {LOOPBACK_REASON}"),
    ],
)
def test_a_redirect_inside_fails_with_its_reason(
    played: dict[str, Any], url: str, reason: str
) -> None:
    outcome = played["redirects_inside"]
    assert _reached_inside(outcome) == []
    state, status, recorded = outcome["states"][url]
    assert (state, status) == ("failed", None)
    assert recorded.endswith(reason)  # robots.txt is asked first: its fetch names the reason


def test_numeric_spellings_in_a_redirect_are_not_followed(played: dict[str, Any]) -> None:
    states = played["redirects_inside"]["states"]
    for path in ("/to-decimal", "/to-hex", "/to-short"):
        assert states[f"http://rebind.example{path}"] == [
            "done",
            301,
            "redirect without a usable Location",
        ]


def test_only_the_public_addresses_of_a_mixed_answer_are_connected_to(
    played: dict[str, Any],
) -> None:
    outcome = played["mixed_answers"]
    assert _reached_inside(outcome) == []
    first, second, third = outcome["fetched"]
    assert first[1] == second[1] == PUBLIC
    assert "PUBLIC PAGE" in first[2]
    assert third == [
        "http://mixed.example/c",
        None,
        "AddressRefused: cannot fetch http://mixed.example/c: "
        "mixed.example resolves to ::ffff:7f00:1, a loopback address",
    ]


def test_a_checked_answer_is_reused_and_the_rebound_one_never_asked(
    played: dict[str, Any],
) -> None:
    outcome = played["cached_answer"]
    assert _reached_inside(outcome) == []
    assert outcome["lookups"] == [["rebind.example", [PUBLIC]]]
    assert [address for _, address, _ in outcome["fetched"]] == [PUBLIC, PUBLIC]


def test_the_control_checking_then_connecting_is_caught(played: dict[str, Any]) -> None:
    # The classic TOCTOU: one lookup checked (public), the connection's own lookup used
    # (127.0.0.1). The scenarios above would catch a fetcher built that way.
    outcome = played["control_check_then_connect"]
    assert outcome["lookups"] == [["rebind.example", [PUBLIC]], ["rebind.example", ["127.0.0.1"]]]
    assert _reached_inside(outcome) == ["rebind.example/a"]
    assert outcome["fetched"] == [["http://rebind.example/a", "127.0.0.1", "INTERNAL SECRET"]]


def test_the_control_without_the_guard_does_reach_127_0_0_1(played: dict[str, Any]) -> None:
    # The same rebinding with allow_private: the namespace's servers do see an attack land.
    outcome = played["control_allow_private"]
    assert _reached_inside(outcome) == ["rebind.example/b"]
    assert outcome["fetched"][1][1:] == ["127.0.0.1", "INTERNAL SECRET"]


# --- 127.0.0.1 spelt otherwise, through the system resolver (no namespace needed) ----


@contextlib.asynccontextmanager
async def counting_server(hits: list[str]) -> AsyncIterator[int]:
    """A server on 127.0.0.1 that records each request's path; yield its port."""

    async def answer(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text="INTERNAL SECRET", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield int(runner.addresses[0][1])
    finally:
        await runner.cleanup()


SPELLINGS = (
    "127.1",
    "2130706433",
    "0x7f000001",
    "0x7f.0.0.1",
    "0177.0.0.1",
    "127.000.000.001",
    "localhost",
    "LOCALHOST.",
    "0.0.0.0",  # noqa: S104 - a URL refused, not a binding
    "0",
    "[::]",
    "[0:0:0:0:0:ffff:7f00:1]",
    "[::ffff:127.0.0.1]",
    "[::127.0.0.1]",
    "[64:ff9b::7f00:1]",
    "[2002:7f00:1::]",
)


def test_127_0_0_1_spelt_any_way_is_never_connected_to() -> None:
    hits: list[str] = []

    async def scenario() -> dict[str, str]:
        refusals = {}
        async with counting_server(hits) as port, HttpFetcher(connect_timeout_s=2.0) as fetcher:
            for host in SPELLINGS:
                with pytest.raises((AddressRefused, InvalidUrl, FetchFailed)) as refused:
                    await fetcher.fetch(f"http://{host}:{port}/{host.strip('[]')}")
                refusals[host] = f"{refused.type.__name__}: {refused.value}"
            async with HttpFetcher(allow_private=True) as control:
                await control.fetch(f"http://127.0.0.1:{port}/control")
        return refusals

    refusals = asyncio.run(scenario())
    assert hits == ["/control"], refusals
    assert refusals["0.0.0.0"].endswith("0.0.0.0 is an unspecified address")  # noqa: S104
    assert refusals["localhost"].endswith("localhost resolves to 127.0.0.1, a loopback address")
    for host, refusal in refusals.items():
        # refused as an address, or not a URL at all; never a failed connection
        assert refusal.startswith(("AddressRefused", "InvalidUrl", "HostNotFound")), (host, refusal)


def test_a_negative_dns_cache_is_refused() -> None:
    with pytest.raises(ValueError, match="dns_cache_s must be 0 or more, not -1"):
        HttpFetcher(dns_cache_s=-1)
