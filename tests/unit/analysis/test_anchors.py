"""Anchor classes, profiles, over-optimisation alerts and recommended mixes."""

from __future__ import annotations

from urllib.parse import urlsplit

import numpy as np
import pytest

from linkequity.analysis.anchors import (
    COMMERCIAL_SHARE_LIMIT,
    EXACT_SHARE_LIMIT,
    MIN_DOMAINS_TO_JUDGE,
    RECOMMENDED_MIX,
    AnchorRules,
    anchor_distribution,
    brand_from_titles,
    classify_anchor,
    keywords_from_titles,
    over_optimisation,
    plan_page_anchors,
    recommend_mix,
)
from linkequity.model.links import AnchorClass
from linkequity.model.urls import registrable_domain
from linkequity.samples.web import generate_web
from linkequity.samples.web.words import GENERIC_ANCHORS

A = AnchorClass
RULES = AnchorRules.for_target(
    ["acme-widgets.co.uk"],
    brands=["Zebra Cycles"],
    keywords=["road bikes", "mountain bike tyres"],
)


def kind(anchor: str, **image: object) -> AnchorClass:
    return classify_anchor(anchor, RULES, **image).anchor_class


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        ("", A.EMPTY),
        ("  \n ", A.EMPTY),
        ("—", A.EMPTY),
        ("https://acme-widgets.co.uk/shop", A.NAKED_URL),
        ("www.other.de", A.NAKED_URL),
        ("other.example.com", A.NAKED_URL),
        ("acme-widgets.co.uk", A.NAKED_URL),
        ("Acme Widgets", A.BRANDED),
        ("AcmeWidgets shop", A.BRANDED),
        ("the acme-widgets team", A.BRANDED),
        ("ZEBRA CYCLES", A.BRANDED),
        ("zebracycles", A.BRANDED),
        ("Road Bikes", A.EXACT),
        ("road bike", A.EXACT),
        ("road-bikes!", A.EXACT),
        ("best road bikes", A.PARTIAL),
        ("bike tyres", A.PARTIAL),
        ("how to choose mountain tyres", A.PARTIAL),
        ("tyres", A.OTHER),
        ("click here", A.GENERIC),
        ("Click here to read more", A.GENERIC),
        ("hier klicken", A.GENERIC),
        ("en savoir plus", A.GENERIC),
        ("Leer más", A.GENERIC),
        ("a story about cats", A.OTHER),
        ("readme.txt", A.OTHER),
        ("node.js", A.OTHER),
    ],
)
def test_each_class_and_its_precedence(anchor: str, expected: AnchorClass) -> None:
    assert kind(anchor) is expected


def test_a_brand_token_inside_a_word_is_not_the_brand() -> None:
    rules = AnchorRules.for_target(["ace.com"])
    assert classify_anchor("ace", rules).anchor_class is A.BRANDED
    assert classify_anchor("spacecraft", rules).anchor_class is A.OTHER


def test_image_links_are_image_and_their_alt_is_read_as_the_anchor() -> None:
    found = classify_anchor("", RULES, is_image=True, alt="road bikes")
    assert (found.anchor_class, found.text_class) == (A.IMAGE, A.EXACT)
    bare = classify_anchor("", RULES, is_image=True, alt=None)
    assert (bare.anchor_class, bare.text_class) == (A.IMAGE, A.EMPTY)


def test_keywords_from_titles_drop_the_brand_and_generic_parts() -> None:
    titles = [
        "Road Bikes | Acme Widgets",
        "Acme Widgets - Mountain Bike Tyres: the guide",
        "Home",
        "road bikes — Acme Widgets",
        "one two three four five six seven eight nine words are a sentence",
    ]
    assert keywords_from_titles(titles, RULES) == ("road bikes", "mountain bike tyres")


def test_sample_web_anchors_to_the_money_site_get_the_class_they_were_drawn_from() -> None:
    web = generate_web(1, sites=14, pages=280)
    manifest = web.manifest()
    target = manifest["target"]
    rules = AnchorRules.for_target(
        [target["domain"]], brands=[target["brand"]], keywords=target["keywords"]
    )
    keywords = {k.casefold() for k in target["keywords"]}
    checked = 0
    for link in manifest["links"]:
        host = urlsplit(link["target"]).hostname or ""
        if (
            link["kind"] not in {"guest_post", "pbn"}
            or registrable_domain(host) != target["domain"]
        ):
            continue
        anchor = link["anchor"]
        if anchor.casefold() in keywords:
            drawn = A.EXACT
        elif anchor.startswith("http"):
            drawn = A.NAKED_URL
        elif target["brand"].casefold() in anchor.casefold():
            drawn = A.BRANDED
        elif anchor in GENERIC_ANCHORS:
            drawn = A.GENERIC
        else:
            drawn = A.PARTIAL
        assert classify_anchor(anchor, rules).anchor_class is drawn, anchor
        checked += 1
    assert checked > 20


def test_distribution_counts_links_and_referring_domains_per_class() -> None:
    anchors = ["road bikes", "Road  Bikes", "click here", "acme widgets", "", "road bikes"]
    images = [False, False, False, False, True, False]
    alts: list[str | None] = [None, None, None, None, "road bikes", None]
    domains = ["a.com", "a.com", "b.com", "c.com", "d.com", "e.com"]
    found = anchor_distribution(anchors, images, alts, domains, RULES)
    exact = found.share(A.EXACT)
    assert (exact.links, exact.referring_domains) == (3, 2)
    assert exact.link_share == pytest.approx(3 / 6)
    assert exact.domain_share == pytest.approx(2 / 5)
    assert found.share(A.IMAGE).links == 1
    assert found.text_domain_shares[A.EXACT] == pytest.approx(3 / 5)
    assert (found.links, found.referring_domains) == (6, 5)
    assert found.top[0].anchor in {"road bikes", "Road Bikes"}
    assert (found.top[0].links, found.top[0].referring_domains) == (3, 2)


def test_grouped_rows_count_as_many_links_as_they_stand_for() -> None:
    one_by_one = anchor_distribution(
        ["road bikes"] * 4 + ["click here"], [False] * 5, [None] * 5, [1, 1, 2, 2, 3], RULES
    )
    grouped = anchor_distribution(
        ["road bikes", "road bikes", "click here"],
        [False] * 3,
        [None] * 3,
        [1, 2, 3],
        RULES,
        links=[2, 2, 1],
    )
    assert one_by_one.as_dict() == grouped.as_dict()


def test_empty_profile() -> None:
    found = anchor_distribution([], [], [], np.zeros(0, np.int64), RULES)
    assert (found.links, found.referring_domains, found.top) == (0, 0, ())
    assert over_optimisation(found) == ()


def _profile(exact_domains: int, partial_domains: int, other_domains: int) -> list[str]:
    return (
        ["road bikes"] * exact_domains
        + [f"cheap road bikes {i}" for i in range(partial_domains)]
        + [f"story {i}" for i in range(other_domains)]
    )


def _alerts(anchors: list[str]) -> dict[str, float]:
    n = len(anchors)
    found = anchor_distribution(anchors, [False] * n, [None] * n, list(range(n)), RULES)
    return {alert.rule: alert.value for alert in over_optimisation(found)}


def test_exact_share_alert_fires_above_its_stated_limit_only() -> None:
    at_limit = _profile(int(EXACT_SHARE_LIMIT * 100), 0, 100 - int(EXACT_SHARE_LIMIT * 100))
    assert "exact_share" not in _alerts(at_limit)
    above = _profile(int(EXACT_SHARE_LIMIT * 100) + 1, 0, 99 - int(EXACT_SHARE_LIMIT * 100))
    assert _alerts(above)["exact_share"] == pytest.approx(EXACT_SHARE_LIMIT + 0.01)


def test_commercial_share_counts_exact_and_partial() -> None:
    limit = int(COMMERCIAL_SHARE_LIMIT * 100)
    assert "commercial_share" not in _alerts(_profile(5, limit - 5, 100 - limit))
    assert "commercial_share" in _alerts(_profile(5, limit - 4, 99 - limit))


def test_one_keyword_anchor_on_many_domains_is_flagged_and_one_brand_anchor_is_not() -> None:
    repeated = ["best road bikes"] * 16 + [f"story {i}" for i in range(84)]
    assert "repeated_anchor" in _alerts(repeated)
    branded = ["Acme Widgets"] * 60 + [f"story {i}" for i in range(40)]
    assert _alerts(branded) == {}


def test_no_alert_on_too_few_referring_domains() -> None:
    few = ["road bikes"] * (MIN_DOMAINS_TO_JUDGE - 1)
    assert _alerts(few) == {}
    assert "exact_share" in _alerts(few + ["road bikes"])


def test_recommended_mix_follows_the_wanted_shares_from_nothing() -> None:
    planned = recommend_mix({}, 20)
    assert planned == {c: round(share * 20) for c, share in RECOMMENDED_MIX.items()}


def test_recommended_mix_gives_no_exact_match_to_a_profile_heavy_in_it() -> None:
    planned = recommend_mix({A.EXACT: 30, A.BRANDED: 10}, 10)
    assert planned[A.EXACT] == 0
    assert max(planned, key=planned.__getitem__) is A.BRANDED
    assert sum(planned.values()) == 10


def test_recommended_mix_counts_other_classes_in_the_total() -> None:
    assert recommend_mix({A.OTHER: 100}, 1) == {**dict.fromkeys(RECOMMENDED_MIX, 0), A.BRANDED: 1}
    with pytest.raises(ValueError, match="at least 0"):
        recommend_mix({}, -1)


def test_a_domain_label_with_a_number_also_brands_without_it() -> None:
    rules = AnchorRules.for_target(["smart-orchard-9.example", "shop24.de", "ab1.com"])
    assert classify_anchor("Smart Orchard", rules).anchor_class is A.BRANDED
    assert classify_anchor("smart orchard 9", rules).anchor_class is A.BRANDED
    assert classify_anchor("shop24", rules).anchor_class is A.BRANDED
    assert classify_anchor("shop", rules).anchor_class is not A.BRANDED
    assert classify_anchor("ab", rules).anchor_class is A.OTHER


def test_brand_from_titles_is_the_title_part_that_is_the_brand() -> None:
    assert brand_from_titles(["Road Bikes | Acme  Widgets"], RULES) == "Acme Widgets"
    assert brand_from_titles(["Road Bikes", ""], RULES) is None


def test_a_page_plan_follows_its_profile_and_reports_its_alerts() -> None:
    anchors = ["road bikes"] * 10
    profile = anchor_distribution(anchors, [False] * 10, [None] * 10, list(range(10)), RULES)
    planned = plan_page_anchors(profile, new_links=3, keywords=["road bikes"], brand="Acme")
    assert planned.current[A.EXACT] == 10
    assert A.EXACT not in planned.sequence
    assert planned.sequence[0] is A.BRANDED
    assert {alert.rule for alert in planned.alerts} == {
        "exact_share",
        "commercial_share",
        "repeated_anchor",
    }
    fresh = plan_page_anchors(None, new_links=2)
    assert (fresh.current, fresh.alerts, fresh.sequence) == ({}, (), (A.BRANDED, A.NAKED_URL))
