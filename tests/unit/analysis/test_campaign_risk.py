"""The risk watch: each rule ok, warned before its limit, over it, or not judged."""

from __future__ import annotations

from linkequity.analysis.campaign_risk import CampaignLink, RiskCheck, RiskLevel, campaign_risk

FLAT = [2] * 8


def links(n: int, *, start: int = 0, **fields: object) -> list[CampaignLink]:
    values: dict[str, object] = {"anchor": "Brand", "anchor_class": "branded", "is_followed": True}
    values.update(fields)
    return [
        CampaignLink(  # type: ignore[arg-type]
            url=f"http://site{i}.example/post/", source_domain=f"site{i}.example", **values
        )
        for i in range(start, start + n)
    ]


def rule(
    live: list[CampaignLink],
    agreed: list[CampaignLink] | None = None,
    *,
    name: str,
    this_week: int = 0,
    history: list[int] | None = None,
) -> RiskCheck:
    checks = campaign_risk(
        live,
        agreed or [],
        live_this_week=this_week,
        weekly_history=FLAT if history is None else history,
    )
    return next(check for check in checks if check.rule == name)


def test_one_exact_anchor_in_five_domains_is_over_the_limit() -> None:
    live = links(4) + links(1, start=4, anchor="compost bins", anchor_class="exact")
    check = rule(live, name="exact_share")
    assert (check.level, check.value, check.limit) == (RiskLevel.OVER, 0.2, 0.1)


def test_an_exact_share_near_the_limit_warns() -> None:
    live = links(11) + links(1, start=11, anchor="compost bins", anchor_class="exact")
    assert rule(live, name="exact_share").level is RiskLevel.WARN  # 1/12 = 8.3 % >= 8 %
    live = links(12) + links(1, start=12, anchor="compost bins", anchor_class="exact")
    assert rule(live, name="exact_share").level is RiskLevel.OK  # 1/13 = 7.7 %


def test_an_agreed_exact_anchor_warns_before_it_goes_live() -> None:
    agreed = links(1, start=5, anchor="compost bins", anchor_class="exact")
    check = rule(links(5), agreed, name="exact_share")
    assert (check.level, check.value) == (RiskLevel.WARN, 0.0)
    assert check.projected is not None
    assert check.projected > 0.1


def test_the_anchor_mix_is_not_judged_on_few_domains() -> None:
    live = links(3, anchor="compost bins", anchor_class="exact")
    assert rule(live, links(1, start=3), name="exact_share").level is RiskLevel.UNTESTED
    assert rule(live, name="commercial_share").level is RiskLevel.UNTESTED


def test_keyword_anchors_exact_or_partial_count_together() -> None:
    live = links(3) + links(2, start=3, anchor="best compost bins", anchor_class="partial")
    check = rule(live, name="commercial_share")
    assert (check.level, check.value) == (RiskLevel.OVER, 0.4)


def test_one_keyword_anchor_repeated_is_flagged() -> None:
    live = links(4) + links(1, start=4, anchor="Compost Bins", anchor_class="exact")
    live += links(1, start=5, anchor="compost bins", anchor_class="exact")
    check = rule(live, name="repeated_anchor")
    assert check.level is RiskLevel.OVER
    assert "'compost bins'" in check.message
    assert rule(links(6), name="repeated_anchor").level is RiskLevel.OK


def test_every_link_followed_is_over_from_five_and_warned_at_four() -> None:
    assert rule(links(5), name="dofollow_share").level is RiskLevel.OVER
    assert rule(links(4), name="dofollow_share").level is RiskLevel.WARN
    assert rule(links(3), links(2, start=3), name="dofollow_share").level is RiskLevel.WARN
    assert rule(links(3), name="dofollow_share").level is RiskLevel.OK
    mixed = links(5) + links(1, start=5, is_followed=False)
    assert rule(mixed, name="dofollow_share").level is RiskLevel.OK


def test_velocity_against_the_weekly_history() -> None:
    # median 2, no spread: the Poisson floor sqrt(2) makes 7 a z of 3.5, and a spike
    # needs at least 10 links
    over = rule(links(1), name="velocity", this_week=10)
    assert (over.level, over.limit) == (RiskLevel.OVER, 10.0)
    assert rule(links(1), name="velocity", this_week=8).level is RiskLevel.WARN
    assert rule(links(1), links(5, start=1), name="velocity", this_week=5).level is RiskLevel.WARN
    assert rule(links(1), name="velocity", this_week=3).level is RiskLevel.OK
    short = rule(links(1), name="velocity", this_week=30, history=[1, 1, 1])
    assert short.level is RiskLevel.UNTESTED


def test_sources_sharing_an_owner_id_are_a_network() -> None:
    shared = links(2, owner_ids=("UA-1",))
    assert rule(shared, name="network").level is RiskLevel.OVER
    one, other = links(1, owner_ids=("UA-1",)), links(1, start=1, owner_ids=("UA-1",))
    assert rule(one, other, name="network").level is RiskLevel.WARN
    assert rule(links(3), name="network").level is RiskLevel.OK
