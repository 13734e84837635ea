"""Toxicity signals, their reasons, the noisy-OR score and the links that pass no value."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkequity.analysis.anchors import AnchorRules
from linkequity.analysis.toxicity import (
    DOMAIN_SIGNALS,
    INTERLINK_MIN_LINKS,
    SIGNALS,
    TOXIC_SCORE,
    WEIGHTS,
    DomainFacts,
    LinkFacts,
    Signal,
    ToxicityScores,
    anchor_match,
    combine,
    domain_reasons,
    interlinked_pairs,
    link_reasons,
    links_by_domain,
    toxicity_scores,
)

NAMES = ("alpha.test", "beta.test", "gamma.test")


def links(n: int = 1, **changes: Any) -> LinkFacts:
    """*n* clean, fetched, followed links from the first domain; *changes* replace fields."""
    facts = LinkFacts(
        domain=np.zeros(n, np.int64),
        anchor=["read this"] * n,
        anchor_match=np.zeros(n),
        is_followed=np.ones(n, np.bool_),
        is_fetched=np.ones(n, np.bool_),
        is_indexable=np.ones(n, np.int8),
        is_robots_allowed=np.ones(n, np.int8),
        indexability_detail=[None] * n,
        outbound_links=np.full(n, 3.0),
        word_count=np.full(n, 800.0),
        relevance=np.full(n, 0.6),
        language=["en"] * n,
        is_sitewide=np.zeros(n, np.int8),
        is_hidden=np.zeros(n, np.int8),
        is_in_spike=np.zeros(n, np.int8),
        placement=["content"] * n,
        spam_mass=np.full(n, np.nan),
    )
    return dataclasses.replace(facts, **changes)


def domains(**changes: Any) -> DomainFacts:
    """Three referring domains, each with its own template and tracking id, no trust scores."""
    facts = DomainFacts(
        names=NAMES,
        tracking_ids=[("G-AAAA11",), ("G-BBBB22",), ("G-CCCC33",)],
        templates=[("t1",), ("t2",), ("t3",)],
        interlinked=[(), (), ()],
        spam_mass=np.full(3, np.nan),
        trust=np.full(3, np.nan),
        target_language="en",
    )
    return dataclasses.replace(facts, **changes)


def scored(link_facts: LinkFacts, domain_facts: DomainFacts) -> ToxicityScores:
    return toxicity_scores(link_facts, domain_facts)


def texts(reasons: list[Any]) -> list[str]:
    return [reason.text for reason in reasons]


def value(scores: ToxicityScores, signal: Signal, link: int = 0) -> float:
    return float(scores.link_signals[link, SIGNALS.index(signal)])


def test_a_clean_link_scores_zero_with_no_reason() -> None:
    found = scored(links(), domains())

    assert found.link_score.tolist() == [0.0]
    assert link_reasons(found, links(), domains(), 0) == []
    assert found.domain_score[0] == 0.0
    assert not found.is_toxic_domain.any()


@pytest.mark.parametrize(
    ("signal", "link_changes", "domain_changes", "expected"),
    [
        (
            Signal.SPAM_MASS,
            {"spam_mass": np.array([0.93])},
            {},
            "spam mass 0.93: most of its PageRank does not come from trusted sites",
        ),
        (
            Signal.LOW_TRUST,
            {},
            {"trust": np.array([0.0005, 1.0, 1.0])},
            "low trust: TrustRank 0.0005 times an average domain's",
        ),
        (
            Signal.LINK_FARM,
            {"outbound_links": np.array([240.0])},
            {},
            "page has 240 outbound links: link farm pattern",
        ),
        (
            Signal.THIN_CONTENT,
            {"word_count": np.array([30.0])},
            {},
            "thin content: 30 words on the page",
        ),
        (
            Signal.EXACT_ANCHOR,
            {"anchor": ["road bikes"], "anchor_match": np.array([1.0])},
            {},
            'commercial exact-match anchor "road bikes"',
        ),
        (
            Signal.TOPIC_MISMATCH,
            {"relevance": np.array([0.01])},
            {},
            "off topic: relevance 0.01 to the target's pages",
        ),
        (
            Signal.LANGUAGE_MISMATCH,
            {"language": ["de-AT"]},
            {},
            "page in de-AT, the target in en: language mismatch",
        ),
        (
            Signal.SHARED_TRACKING,
            {},
            {"tracking_ids": [("UA-1234567-1",), ("UA-1234567-1",), ("G-CCCC33",)]},
            "same tracking id UA-1234567-1 as 1 other referring domain (beta.test): link network",
        ),
        (
            Signal.SHARED_TEMPLATE,
            {},
            {"templates": [("t1",), ("t1",), ("t1",)]},
            "same page template t1 as 2 other referring domains (beta.test, gamma.test)",
        ),
        (
            Signal.INTERLINKING,
            {},
            {"interlinked": [(1, 2), (0,), (0,)]},
            "linked both ways with 2 other referring domains (beta.test, gamma.test): "
            "dense interlinking, link network",
        ),
        (
            Signal.SITEWIDE,
            {"is_sitewide": np.array([1], np.int8), "placement": ["footer"]},
            {},
            "sitewide footer link",
        ),
        (
            Signal.HIDDEN,
            {"is_hidden": np.array([1], np.int8)},
            {},
            "hidden link: not visible on the page",
        ),
        (
            Signal.SPIKE,
            {"is_in_spike": np.array([1], np.int8)},
            {},
            "part of a sudden spike of new links or referring domains",
        ),
    ],
)
def test_each_signal_raises_the_score_with_its_reason(
    signal: Signal,
    link_changes: dict[str, Any],
    domain_changes: dict[str, Any],
    expected: str,
) -> None:
    link_facts, domain_facts = links(**link_changes), domains(**domain_changes)
    found = scored(link_facts, domain_facts)

    reasons = link_reasons(found, link_facts, domain_facts, 0)
    assert [reason.signal for reason in reasons] == [signal]
    assert reasons[0].text == expected
    assert found.link_score[0] == pytest.approx(100 * WEIGHTS[signal] * value(found, signal))
    assert found.link_score[0] > 0
    # The domain carries it too, quoting its link.
    assert found.domain_score[0] == pytest.approx(found.link_score[0])
    assert texts(domain_reasons(found, link_facts, domain_facts, 0))[0].startswith(expected)


def test_signal_values_follow_their_documented_ramps() -> None:
    found = scored(
        links(
            4,
            outbound_links=np.array([25.0, 62.5, 100.0, 400.0]),
            word_count=np.array([150.0, 100.0, 50.0, 0.0]),
            relevance=np.array([0.15, 0.10, 0.05, 0.0]),
            spam_mass=np.array([0.5, 0.75, 1.0, -0.2]),
        ),
        domains(trust=np.array([1.0, 0.01, 0.0])),
    )
    column = {signal: found.link_signals[:, SIGNALS.index(signal)] for signal in SIGNALS}

    assert column[Signal.LINK_FARM].tolist() == [0.0, 0.5, 1.0, 1.0]
    assert column[Signal.THIN_CONTENT].tolist() == [0.0, 0.5, 1.0, 1.0]
    assert column[Signal.TOPIC_MISMATCH] == pytest.approx([0.0, 0.5, 1.0, 1.0])
    assert column[Signal.SPAM_MASS].tolist() == [0.0, 0.5, 1.0, 0.0]
    low_trust = found.domain_signals[:, SIGNALS.index(Signal.LOW_TRUST)]
    assert low_trust == pytest.approx([0.0, 2 / 3, 1.0])


def test_the_score_is_a_noisy_or_of_weighted_signals() -> None:
    link_facts = links(
        outbound_links=np.array([100.0]),
        is_sitewide=np.array([1], np.int8),
        anchor_match=np.array([0.5]),
    )
    found = scored(link_facts, domains())

    kept = (
        (1 - WEIGHTS[Signal.LINK_FARM])
        * (1 - WEIGHTS[Signal.SITEWIDE])
        * (1 - 0.5 * WEIGHTS[Signal.EXACT_ANCHOR])
    )
    assert found.link_score[0] == pytest.approx(100 * (1 - kept))
    reasons = link_reasons(found, link_facts, domains(), 0)
    assert [r.signal for r in reasons] == [Signal.LINK_FARM, Signal.SITEWIDE, Signal.EXACT_ANCHOR]
    assert reasons[2].text == 'commercial partial-match anchor "read this"'
    assert reasons[0].points == pytest.approx(100 * WEIGHTS[Signal.LINK_FARM])
    assert combine(np.array([[1.0, 1.0]]), [0.5, 0.5]).tolist() == [75.0]


def test_toxic_from_the_threshold() -> None:
    link_facts = links(2, outbound_links=np.array([100.0, 0.0]))
    domain_facts = domains()
    half = {signal: 0.0 for signal in SIGNALS} | {Signal.LINK_FARM: TOXIC_SCORE / 100}

    found = toxicity_scores(link_facts, domain_facts, weights=half)

    assert found.link_score == pytest.approx([TOXIC_SCORE, 0.0])
    assert found.is_toxic_link.tolist() == [True, False]
    below = toxicity_scores(link_facts, domain_facts, weights=half, threshold=TOXIC_SCORE + 1)
    assert not below.is_toxic_link.any()


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {
                "is_indexable": np.array([0], np.int8),
                "indexability_detail": ["noindex in meta robots"],
            },
            "source page not indexable: noindex in meta robots",
        ),
        ({"is_robots_allowed": np.array([0], np.int8)}, "robots.txt blocks the source page"),
        (
            {"is_followed": np.array([False])},
            "rel nofollow, sponsored or ugc: passes no PageRank",
        ),
    ],
)
def test_a_link_that_passes_no_value_is_not_toxic(changes: dict[str, Any], reason: str) -> None:
    # Every signal at full strength: a link farm page in a network, hidden, sitewide...
    link_facts = links(
        outbound_links=np.array([500.0]),
        is_hidden=np.array([1], np.int8),
        is_sitewide=np.array([1], np.int8),
        anchor_match=np.array([1.0]),
        **changes,
    )
    domain_facts = domains(tracking_ids=[("UA-1-1",), ("UA-1-1",), ("UA-1-1",)])

    found = scored(link_facts, domain_facts)

    assert found.link_passes_value.tolist() == [False]
    assert found.link_no_value_reason == (reason,)
    assert found.link_score.tolist() == [0.0]
    assert not found.is_toxic_link.any()
    assert value(found, Signal.LINK_FARM) == 1.0  # the signals are still there to read
    assert found.domain_passes_value[0] == np.False_
    assert found.domain_score[0] == 0.0
    assert not found.is_toxic_domain[0]
    # The domain gives the kind of reason, without one page's own detail.
    kind = "source page not indexable" if "not indexable" in reason else reason
    assert found.domain_no_value_reason[0] == kind


def test_a_domain_scores_only_from_its_links_that_pass_value() -> None:
    link_facts = links(
        2,
        outbound_links=np.array([300.0, 3.0]),
        is_indexable=np.array([0, 1], np.int8),
        indexability_detail=["noindex in meta robots", None],
    )

    found = scored(link_facts, domains())

    assert found.domain_passes_value[0]
    assert found.domain_score[0] == 0.0
    assert found.domain_no_value_reason[0] is None


def test_unknown_signals_count_as_absent_not_as_evidence() -> None:
    unknown = links(
        is_fetched=np.array([False]),
        outbound_links=np.array([np.nan]),
        word_count=np.array([np.nan]),
        relevance=np.array([np.nan]),
        language=[None],
        is_sitewide=np.array([-1], np.int8),
        is_hidden=np.array([-1], np.int8),
        is_in_spike=np.array([-1], np.int8),
        is_indexable=np.array([-1], np.int8),
        is_robots_allowed=np.array([-1], np.int8),
    )
    domain_facts = domains(tracking_ids=[(), (), ()], templates=[(), (), ()])

    found = scored(unknown, domain_facts)

    assert found.link_passes_value.tolist() == [True]
    assert found.link_score.tolist() == [0.0]
    nan = np.isnan(found.link_signals[0])
    assert {SIGNALS[j] for j in np.flatnonzero(nan)} == {
        Signal.SPAM_MASS, Signal.LOW_TRUST, Signal.LINK_FARM, Signal.THIN_CONTENT,
        Signal.TOPIC_MISMATCH, Signal.LANGUAGE_MISMATCH, Signal.SHARED_TRACKING,
        Signal.SHARED_TEMPLATE, Signal.INTERLINKING, Signal.SITEWIDE, Signal.HIDDEN,
        Signal.SPIKE,
    }  # fmt: skip
    assert np.isnan(found.domain_signals[0, SIGNALS.index(Signal.LINK_FARM)])


def test_a_language_is_compared_by_its_primary_subtag() -> None:
    found = scored(links(2, language=["en-GB", "fr"]), domains(target_language="en-US"))

    assert found.link_signals[:, SIGNALS.index(Signal.LANGUAGE_MISMATCH)].tolist() == [0.0, 1.0]
    unknown_target = scored(links(language=["fr"]), domains(target_language=None))
    assert np.isnan(value(unknown_target, Signal.LANGUAGE_MISMATCH))


def test_network_signals_grow_with_the_domains_that_share() -> None:
    one = scored(links(), domains(tracking_ids=[("UA-9-1",), ("UA-9-1",), ()]))
    two = scored(links(), domains(tracking_ids=[("UA-9-1",), ("UA-9-1",), ("UA-9-1",)]))

    assert value(one, Signal.SHARED_TRACKING) == 0.5
    assert value(two, Signal.SHARED_TRACKING) == 0.75
    assert one.network.tracking[0] == {"UA-9-1": (1,)}
    assert two.network.tracking[2] == {"UA-9-1": (0, 1)}
    assert set(DOMAIN_SIGNALS) >= {Signal.SHARED_TRACKING, Signal.INTERLINKING}


def test_interlinked_pairs_need_enough_links_each_way() -> None:
    many = INTERLINK_MIN_LINKS
    pairs = interlinked_pairs(
        4,
        [0, 1, 0, 2, 1, 3],
        [1, 0, 2, 0, 3, 1],
        [many, many, many, many - 1, many, 0],
    )

    # 0 <-> 1 both ways; 0 -> 2 but 2 -> 0 too few; 1 -> 3 one way only.
    assert pairs == ((1,), (0,), (), ())


def test_a_domain_takes_its_worst_link_and_counts_those_showing_it() -> None:
    link_facts = links(
        3,
        domain=np.array([1, 1, 2], np.int64),
        outbound_links=np.array([50.0, 200.0, 3.0]),
    )
    found = scored(link_facts, domains())

    assert found.domain_signals[1, SIGNALS.index(Signal.LINK_FARM)] == 1.0
    assert texts(domain_reasons(found, link_facts, domains(), 1)) == [
        "page has 200 outbound links: link farm pattern (2 of 2 links)"
    ]
    assert not found.domain_passes_value[0]  # no link at all
    assert found.domain_score[2] == 0.0
    grouped = links_by_domain(found, link_facts, 3)
    assert [g.tolist() for g in grouped] == [[], [0, 1], [2]]
    for d in range(3):
        assert domain_reasons(found, link_facts, domains(), d, mine=grouped[d]) == domain_reasons(
            found, link_facts, domains(), d
        )


def test_anchor_match_reads_keywords_and_image_alts() -> None:
    rules = AnchorRules.for_target(["acme.test"], keywords=["road bikes", "gravel bike tyres"])

    found = anchor_match(
        ["Road Bikes", "best road bikes", "Acme", "click here", "", "gravel bike tyres"],
        rules,
        is_image=[False, False, False, False, True, False],
        alts=[None, None, None, None, "road bikes", None],
    )

    assert found.tolist() == [1.0, 0.5, 0.0, 0.0, 1.0, 1.0]


def test_no_link_no_score() -> None:
    found = toxicity_scores(links(0), domains(names=(), tracking_ids=(), templates=(),
                                              interlinked=(), spam_mass=np.zeros(0),
                                              trust=np.zeros(0)))  # fmt: skip

    assert found.link_signals.shape == (0, len(SIGNALS))
    assert found.domain_score.size == 0
    assert not found.is_toxic_link.any()


def test_weights_are_documented_for_every_signal_and_checked() -> None:
    assert set(WEIGHTS) == set(SIGNALS)
    assert all(0 <= weight <= 1 for weight in WEIGHTS.values())
    assert 0 < TOXIC_SCORE <= 100
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        toxicity_scores(links(), domains(), weights={Signal.LINK_FARM: 1.5})
    with pytest.raises(ValueError, match="domain index"):
        toxicity_scores(links(domain=np.array([7], np.int64)), domains())


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.floats(min_value=0.0, max_value=1.0), min_size=len(SIGNALS), max_size=len(SIGNALS)
    ),
    raised=st.integers(min_value=0, max_value=len(SIGNALS) - 1),
)
def test_the_score_stays_in_range_and_never_falls_when_a_signal_rises(
    values: list[float], raised: int
) -> None:
    weights = [WEIGHTS[signal] for signal in SIGNALS]
    before = np.array([values])
    after = before.copy()
    after[0, raised] = 1.0

    low, high = combine(before, weights)[0], combine(after, weights)[0]

    assert 0.0 <= low <= high <= 100.0
    alone = max(100 * w * v for w, v in zip(weights, values, strict=True))
    assert low >= alone - 1e-9
