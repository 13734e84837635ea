"""A plan checked for the footprints the audit flags: all followed, anchors, velocity, network."""

from __future__ import annotations

from typing import Any

import pytest

from linkequity.analysis.footprint import (
    MAX_DOMAIN_SHARE,
    MIN_LINKS_FOR_MIX,
    MIN_TEMPLATE_DOMAINS,
    FootprintCheck,
    FootprintRule,
    PlannedSource,
    check_plan_footprint,
)

P, Q = "https://guest.example/post", "https://other.example/post"


def check(
    targets: list[str],
    sources: list[PlannedSource] | None = None,
    **facts: Any,
) -> dict[FootprintRule, FootprintCheck]:
    arguments: dict[str, Any] = {
        "followed_now": {},
        "unfollowed_now": {},
        "anchor_alerts": {},
        "weekly_new_links": [],
    }
    arguments.update(facts)
    if sources is None:
        sources = [
            PlannedSource(f"https://s{i}.example/", f"s{i}.example") for i in range(len(targets))
        ]
    found = check_plan_footprint(targets, sources, **arguments)
    assert [c.rule for c in found] == list(FootprintRule)
    return {c.rule: c for c in found}


def test_a_page_with_only_followed_links_is_flagged_once_it_has_enough() -> None:
    few = check([P], followed_now={P: MIN_LINKS_FOR_MIX - 2})
    assert not few[FootprintRule.ALL_FOLLOWED].is_risk
    enough = check([P, P], followed_now={P: MIN_LINKS_FOR_MIX - 2})
    assert enough[FootprintRule.ALL_FOLLOWED].is_risk
    assert enough[FootprintRule.ALL_FOLLOWED].pages == (P,)
    mixed = check([P, P], followed_now={P: 40}, unfollowed_now={P: 1})
    assert not mixed[FootprintRule.ALL_FOLLOWED].is_risk


def test_an_over_optimised_page_is_flagged_with_its_alert() -> None:
    found = check([P, Q], anchor_alerts={Q: ["60% of referring domains use an exact-match anchor"]})
    risk = found[FootprintRule.REPEATED_ANCHOR]
    assert risk.is_risk
    assert risk.pages == (Q,)
    assert "exact-match" in risk.message
    assert not check([P])[FootprintRule.REPEATED_ANCHOR].is_risk


def test_a_burst_against_a_quiet_history_is_a_spike_with_the_weeks_to_spread_it() -> None:
    quiet = [2, 3, 2, 2, 3, 2, 2, 3]
    burst = check([P] * 30, weekly_new_links=quiet)[FootprintRule.VELOCITY_SPIKE]
    assert burst.is_risk
    weeks = int(burst.message.split("at least ")[1].split(" weeks")[0])
    assert weeks > 1
    calm = check([P] * 3, weekly_new_links=quiet)[FootprintRule.VELOCITY_SPIKE]
    assert not calm.is_risk


def test_velocity_is_not_tested_on_a_short_history() -> None:
    short = check([P] * 30, weekly_new_links=[1, 1])[FootprintRule.VELOCITY_SPIKE]
    assert not short.is_risk
    assert short.message.startswith("not tested")


def test_sources_sharing_an_owner_id_are_a_network() -> None:
    sources = [
        PlannedSource("https://a.example/1", "a.example", owner_ids=("UA-1-1",)),
        PlannedSource("https://b.example/1", "b.example", owner_ids=("UA-1-1", "pub-9")),
    ]
    risk = check([P, Q], sources)[FootprintRule.ONE_NETWORK]
    assert risk.is_risk
    assert risk.pages == ("a.example", "b.example")
    assert "UA-1-1" in risk.message


def test_one_shared_template_is_common_and_enough_of_them_a_network() -> None:
    def on_template(n: int) -> list[PlannedSource]:
        return [
            PlannedSource(f"https://{i}.example/", f"{i}.example", template_hash="abc")
            for i in range(n)
        ]

    below = check([P] * (MIN_TEMPLATE_DOMAINS - 1), on_template(MIN_TEMPLATE_DOMAINS - 1))
    assert not below[FootprintRule.ONE_NETWORK].is_risk
    at = check([P] * MIN_TEMPLATE_DOMAINS, on_template(MIN_TEMPLATE_DOMAINS))
    assert at[FootprintRule.ONE_NETWORK].is_risk


def test_one_domain_giving_most_of_a_plan_is_flagged() -> None:
    n = MIN_LINKS_FOR_MIX
    heavy = int(n * MAX_DOMAIN_SHARE) + 1
    sources = [PlannedSource(f"https://a.example/{i}", "a.example") for i in range(heavy)]
    sources += [PlannedSource(f"https://b{i}.example/", f"b{i}.example") for i in range(n - heavy)]
    assert check([P] * n, sources)[FootprintRule.ONE_NETWORK].is_risk
    new_pages = [PlannedSource("(new page)", None)] * n
    found = check([P] * n, new_pages)[FootprintRule.ONE_NETWORK]
    assert not found.is_risk
    assert f"{n} links from new pages" in found.message


def test_targets_and_sources_must_pair_up() -> None:
    with pytest.raises(ValueError, match="2 targets but 1 sources"):
        check_plan_footprint(
            [P, Q],
            [PlannedSource("x", None)],
            followed_now={},
            unfollowed_now={},
            anchor_alerts={},
            weekly_new_links=[],
        )
