"""The tier-2 planner on small hand-made graphs: each checklist reason, the budget and the cap.

Gains are checked against PageRank recomputed by a dense linear solve after the
planned links are actually added, so nothing here trusts the Sherman-Morrison code.
"""

from __future__ import annotations

import doctest

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkequity.analysis import plan as plan_module
from linkequity.analysis.plan import (
    PLACEMENT_CONTENT,
    PLACEMENT_OTHER,
    PLACEMENT_UNKNOWN,
    CandidateLinks,
    CandidatePages,
    Reason,
    blocking_mask,
    checklist,
    plan_tier2,
    reason_labels,
    referring_domain_counts,
)
from linkequity.graph import LinkGraph

Vector = npt.NDArray[np.float64]
D = 0.85


def dense_pagerank(
    sources: list[int], targets: list[int], n: int, teleport: Vector | None = None
) -> Vector:
    """PageRank by a linear solve: duplicates collapsed, dangling mass to the teleport vector."""
    v = np.full(n, 1.0 / n) if teleport is None else teleport / teleport.sum()
    a = np.zeros((n, n))
    for s, t in zip(sources, targets, strict=True):
        if s != t:
            a[s, t] = 1.0
    out = a.sum(axis=1)
    m = np.where(out[:, None] > 0, a / np.maximum(out, 1)[:, None], v[None, :]).T
    return np.linalg.solve(np.eye(n) - D * m, (1 - D) * v)


def pages(n: int, **overrides: npt.ArrayLike) -> CandidatePages:
    fields: dict[str, npt.ArrayLike] = {
        "pages": np.arange(n, dtype=np.int64),
        "is_indexable": np.ones(n, np.int8),
        "is_robots_allowed": np.ones(n, np.int8),
        "is_competitor": np.zeros(n, np.bool_),
        "spam_mass": np.full(n, np.nan),
        "relevance": np.full(n, np.nan),
        "referring_domains": np.ones(n, np.int64),
        "is_toxic": np.zeros(n, np.bool_),
    }
    fields.update(overrides)
    return CandidatePages(**{k: np.asarray(v) for k, v in fields.items()})  # type: ignore[arg-type]


def links(
    page_index: list[int],
    *,
    followed: list[bool] | None = None,
    placement: list[int] | None = None,
    hidden: list[int] | None = None,
) -> CandidateLinks:
    k = len(page_index)
    return CandidateLinks(
        np.asarray(page_index, np.int64),
        np.asarray([True] * k if followed is None else followed, np.bool_),
        np.asarray([PLACEMENT_CONTENT] * k if placement is None else placement, np.int8),
        np.asarray([0] * k if hidden is None else hidden, np.int8),
    )


def test_docstring_examples() -> None:
    failures, tests = doctest.testmod(plan_module)
    assert tests > 0
    assert failures == 0


class TestChecklist:
    def test_a_clean_page_passes(self) -> None:
        assert checklist(pages(1), links([0])).tolist() == [0]

    def test_robots_unknown_alone_is_no_caution(self) -> None:
        facts = pages(1, is_robots_allowed=np.array([-1], np.int8))
        assert checklist(facts, links([0])).tolist() == [0]

    @pytest.mark.parametrize(
        ("field", "value", "reason"),
        [
            ("is_indexable", 0, Reason.NOT_INDEXABLE),
            ("is_robots_allowed", 0, Reason.ROBOTS_BLOCKED),
            ("is_indexable", -1, Reason.UNVERIFIED),
            ("is_competitor", True, Reason.COMPETITOR),
            ("spam_mass", 0.9, Reason.SPAM),
            ("relevance", 0.01, Reason.NOT_RELEVANT),
            # Another theme of the sample web scores about 0.16: below the default 0.2.
            ("relevance", 0.16, Reason.NOT_RELEVANT),
            ("referring_domains", 21, Reason.OVER_SUPPORTED),
            ("is_toxic", True, Reason.TOXIC),
        ],
    )
    def test_each_page_fact_fails_with_its_reason(
        self, field: str, value: object, reason: Reason
    ) -> None:
        n = 2
        column = np.asarray(getattr(pages(n), field)).copy()
        column[1] = value
        mask = checklist(pages(n, **{field: column}), links([0, 1]))
        assert mask.tolist() == [0, int(reason)]

    def test_limits_are_inclusive_and_unmeasured_facts_pass(self) -> None:
        facts = pages(
            3,
            spam_mass=np.array([0.5, np.nan, 0.2]),
            relevance=np.array([0.2, np.nan, 0.9]),
            referring_domains=np.array([20, 0, 3]),
        )
        assert checklist(facts, links([0, 1, 2])).tolist() == [0, 0, 0]
        tighter = checklist(
            facts, links([0, 1, 2]), max_spam_mass=0.1, max_referring_domains=2, min_relevance=0.5
        )
        assert [reason_labels(m) for m in tighter] == [
            ["spam by spam mass", "over-supported", "not relevant"],
            [],
            ["spam by spam mass", "over-supported"],
        ]

    @pytest.mark.parametrize(
        ("link", "reason"),
        [
            ({"followed": [False]}, Reason.NOT_FOLLOWED),
            ({"placement": [PLACEMENT_OTHER]}, Reason.NOT_IN_CONTENT),
            ({"placement": [PLACEMENT_UNKNOWN]}, Reason.PLACEMENT_UNKNOWN),
            ({"hidden": [1]}, Reason.HIDDEN),
        ],
    )
    def test_each_link_fact_fails_with_its_reason(
        self, link: dict[str, list[object]], reason: Reason
    ) -> None:
        assert checklist(pages(1), links([0], **link)).tolist() == [int(reason)]  # type: ignore[arg-type]

    def test_a_page_is_judged_on_its_best_link(self) -> None:
        # page 0: a footer link and a clean one; page 1: a footer link and a nofollow hidden one
        mask = checklist(
            pages(2),
            links(
                [0, 0, 1, 1],
                followed=[True, True, True, False],
                placement=[PLACEMENT_OTHER, PLACEMENT_CONTENT, PLACEMENT_OTHER, PLACEMENT_CONTENT],
                hidden=[0, 0, 0, 1],
            ),
        )
        assert mask.tolist() == [0, int(Reason.NOT_IN_CONTENT)]

    def test_a_page_without_a_link_to_the_target_is_not_followed(self) -> None:
        assert checklist(pages(2), links([0])).tolist() == [0, int(Reason.NOT_FOLLOWED)]

    def test_several_reasons_at_once_and_which_block(self) -> None:
        facts = pages(1, is_indexable=np.array([0], np.int8), is_competitor=np.array([True]))
        mask = int(checklist(facts, links([0], followed=[False]))[0])
        assert reason_labels(mask) == ["not indexable", "link not followed", "competitor"]
        assert mask & blocking_mask()
        unverified = int(Reason.UNVERIFIED | Reason.PLACEMENT_UNKNOWN)
        assert not unverified & blocking_mask()
        assert unverified & blocking_mask(unverified_blocks=True)

    def test_bad_arrays_are_refused(self) -> None:
        with pytest.raises(ValueError, match="page_index"):
            checklist(pages(1), links([1]))
        with pytest.raises(ValueError, match="spam_mass"):
            checklist(pages(2, spam_mass=np.zeros(3)), links([0]))


def test_referring_domains_count_other_domains_once() -> None:
    # page 5 (domain 2) is linked by 0, 1 (domain 0), 2 (its own domain 2), 3 (domain 1), 4 (target)
    g = LinkGraph.from_arrays([0, 1, 2, 3, 4, 0], [5, 5, 5, 5, 5, 6], 7)
    domains = [0, 0, 2, 1, 3, 2, 2]
    assert referring_domain_counts(g, domains, [5, 6], [3]).tolist() == [2, 1]


# The target 0 (domain 0); tier-1 pages 1, 2 (domain 1) and 3 (domain 2) link to it;
# pages 4..7 (domains 3, 4, 3, 5) link around; 2 also links to 5.
EDGES = [(1, 0), (2, 0), (3, 0), (2, 5), (4, 1), (5, 4), (6, 7), (7, 6), (7, 3), (0, 6)]
DOMAINS = [0, 1, 1, 2, 3, 4, 3, 5]


def graph_of(edges: list[tuple[int, int]], n: int = 8) -> LinkGraph:
    return LinkGraph.from_arrays([s for s, _ in edges], [t for _, t in edges], n)


class TestPlan:
    def test_the_gains_add_up_to_the_recomputed_rise(self) -> None:
        g = graph_of(EDGES)
        plan = plan_tier2(g, [0], DOMAINS, [1, 2, 3], [4, 5, 6, 7], budget=4, per_page_cap=2)
        assert len(plan.links) == 4
        before = dense_pagerank([s for s, _ in EDGES], [t for _, t in EDGES], 8)[0]
        assert plan.target_rank == pytest.approx(before, rel=1e-9)
        added = EDGES + [(link.source, link.target) for link in plan.links]
        after = dense_pagerank([s for s, _ in added], [t for _, t in added], 8)[0]
        assert plan.total_gain == pytest.approx(after - before, rel=1e-6)
        for link in plan.links:
            assert link.relative_gain == pytest.approx(link.page_gain / before)
            alone = [*EDGES, (link.source, link.target)]
            rise = dense_pagerank([s for s, _ in alone], [t for _, t in alone], 8)[0] - before
            assert link.gain_alone == pytest.approx(rise, rel=1e-6)
        assert plan.links[0].gain_alone == pytest.approx(plan.links[0].page_gain, rel=1e-9)

    def test_each_step_is_the_best_exact_link_given_the_ones_before(self) -> None:
        g = graph_of(EDGES)
        plan = plan_tier2(g, [0], DOMAINS, [1, 2, 3], [4, 5, 6, 7], budget=2, shortlist=100)
        first = plan.links[0]
        best = -1.0
        base = dense_pagerank([s for s, _ in EDGES], [t for _, t in EDGES], 8)[0]
        for q in (4, 5, 6, 7):
            for p in (1, 2, 3):
                if DOMAINS[q] == DOMAINS[p] or (q, p) in EDGES:
                    continue
                added = [*EDGES, (q, p)]
                gain = dense_pagerank([s for s, _ in added], [t for _, t in added], 8)[0] - base
                best = max(best, gain)
        assert first.page_gain == pytest.approx(best, rel=1e-6)

    def test_budget_cap_and_allowed_pairs(self) -> None:
        g = graph_of(EDGES)
        plan = plan_tier2(g, [0], DOMAINS, [1, 3], [0, 2, 4, 5, 6, 7], budget=10, per_page_cap=1)
        targets = [link.target for link in plan.links]
        assert sorted(targets) == [1, 3]  # one each, though the budget allows more
        for link in plan.links:
            assert link.source != 0  # a target page never links
            assert DOMAINS[link.source] != DOMAINS[link.target]
            assert (link.source, link.target) not in EDGES
        capped = plan_tier2(g, [0], DOMAINS, [1, 3], [4, 5, 6, 7], budget=3, per_page_cap=2)
        assert len(capped.links) == 3
        counts = np.bincount([link.target for link in capped.links])
        assert counts.max() == 2
        assert [link.nth for link in capped.links if link.target == int(counts.argmax())] == [1, 2]
        assert plan_tier2(g, [0], DOMAINS, [1, 3], [4], budget=0).links == []

    def test_per_source_domain_cap(self) -> None:
        # 4 and 6 are both on domain 3
        g = graph_of(EDGES)
        free = plan_tier2(g, [0], DOMAINS, [1, 2, 3], [4, 6], budget=4, per_page_cap=2)
        assert len(free.links) > 1
        capped = plan_tier2(
            g, [0], DOMAINS, [1, 2, 3], [4, 6], budget=4, per_page_cap=2, per_source_domain_cap=1
        )
        assert len(capped.links) == 1
        assert capped.links[0] == free.links[0]
        with pytest.raises(ValueError, match="per_source_domain_cap"):
            plan_tier2(g, [0], DOMAINS, [1], [4], budget=1, per_source_domain_cap=0)

    def test_domain_gain_is_zero_when_the_domains_are_linked_already(self) -> None:
        g = graph_of(EDGES)
        # 4 (domain 3) already links to 1 (domain 1): 6 (domain 3) adds no domain edge
        plan = plan_tier2(g, [0], DOMAINS, [2], [6], budget=1)
        assert [(link.source, link.target) for link in plan.links] == [(6, 2)]
        assert plan.links[0].domain_gain == 0.0
        assert plan.links[0].page_gain > 0
        fresh = plan_tier2(g, [0], DOMAINS, [3], [5], budget=1)
        assert fresh.links[0].domain_gain > 0

    def test_new_pages_gain_d_a_r_and_spread_by_the_cap(self) -> None:
        g = graph_of(EDGES)
        plan = plan_tier2(
            g, [0], DOMAINS, [1, 2, 3], [], budget=5, per_page_cap=2, new_source_rank=0.01
        )
        assert plan.uses_new_pages
        assert len(plan.links) == 5
        assert all(link.source == -1 for link in plan.links)
        assert np.bincount([link.target for link in plan.links]).max() == 2
        # each page's value is d * a * (the rise of the target per unit injected at it)
        n = 8
        for p, value in zip(plan.candidates, plan.candidate_gains, strict=True):
            a = np.zeros((n, n))
            for s, t in EDGES:
                a[s, t] = 1.0
            out = a.sum(axis=1)
            m = np.where(out[:, None] > 0, a / np.maximum(out, 1)[:, None], 1.0 / n).T
            r = np.linalg.solve(np.eye(n) - D * m.T, np.eye(n)[0])
            assert value == pytest.approx(D * 0.01 * r[p], rel=1e-6)
        assert list(plan.candidate_gains) == sorted(plan.candidate_gains, reverse=True)
        # the budget goes to the best (page, k-th link) pairs: pages 1 and 3 tie, 2 is last
        three = plan_tier2(g, [0], DOMAINS, [1, 2, 3], [], budget=3, new_source_rank=0.01)
        every_link = sorted(np.repeat(plan.candidate_gains, 2), reverse=True)
        assert [link.page_gain for link in three.links] == every_link[:3]
        assert 2 not in {link.target for link in three.links}

    def test_new_pages_when_no_existing_link_gains(self) -> None:
        # the only source is the target's sole tier-1 page's neighbour 4 -> 1 -> 0:
        # a link 1 -> 3 would split the flow 1 sends to the target, a loss
        g = graph_of(EDGES)
        plan = plan_tier2(g, [0], DOMAINS, [3], [1], budget=2, per_page_cap=2)
        assert plan.uses_new_pages
        assert [(link.source, link.target, link.nth) for link in plan.links] == [
            (-1, 3, 1),
            (-1, 3, 2),
        ]
        assert plan.links[0].page_gain == plan.links[1].page_gain

    def test_options_list_existing_sources_best_first(self) -> None:
        g = graph_of(EDGES)
        plan = plan_tier2(g, [0], DOMAINS, [3], [4, 5, 6], budget=1, options_per_page=3)
        assert {option.source for option in plan.options} == {4, 5, 6}
        gains = [option.page_gain for option in plan.options]
        assert gains == sorted(gains, reverse=True)
        base = dense_pagerank([s for s, _ in EDGES], [t for _, t in EDGES], 8)[0]
        for option in plan.options:
            added = [*EDGES, (option.source, 3)]
            after = dense_pagerank([s for s, _ in added], [t for _, t in added], 8)[0]
            assert option.page_gain == pytest.approx(after - base, rel=1e-6)

    def test_own_pages_come_first_among_options_whatever_their_gain(self) -> None:
        g = graph_of(EDGES)
        every = plan_tier2(g, [0], DOMAINS, [3], [4, 5, 6], budget=1, options_per_page=3)
        weakest = min(every.options, key=lambda option: option.page_gain)
        plan = plan_tier2(
            g, [0], DOMAINS, [3], [4, 5, 6], budget=1, options_per_page=1,
            own_sources=[weakest.source],
        )  # fmt: skip
        assert [(o.source, o.is_own) for o in plan.options][0] == (weakest.source, True)
        assert plan.options[0].page_gain == pytest.approx(weakest.page_gain, rel=1e-12)
        assert [o.is_own for o in plan.options[1:]] == [False]
        assert not any(option.is_own for option in every.options)

    def test_own_pages_are_sources_even_when_not_given_as_such(self) -> None:
        g = graph_of(EDGES)
        every = plan_tier2(g, [0], DOMAINS, [3], [4, 5, 6], budget=1, options_per_page=3)
        best = max(every.options, key=lambda option: option.page_gain)
        assert best.page_gain > 0
        plan = plan_tier2(g, [0], DOMAINS, [3], [], budget=1, own_sources=[best.source])
        assert [(link.source, link.target) for link in plan.links] == [(best.source, 3)]
        assert not plan.uses_new_pages

    def test_internal_asks_are_same_domain_pages_with_exact_gains(self) -> None:
        # 2 is on tier-1 page 1's domain and does not link to it; 4 (another domain) may not ask
        g = graph_of(EDGES)
        plan = plan_tier2(g, [0], DOMAINS, [1], [6], budget=1, internal_sources=[2, 4, 0])
        assert [(ask.source, ask.target) for ask in plan.internal_asks] == [(2, 1)]
        ask = plan.internal_asks[0]
        assert ask.domain_gain == 0.0
        base = dense_pagerank([s for s, _ in EDGES], [t for _, t in EDGES], 8)[0]
        added = [*EDGES, (2, 1)]
        after = dense_pagerank([s for s, _ in added], [t for _, t in added], 8)[0]
        assert ask.page_gain == pytest.approx(after - base, rel=1e-6)
        assert plan_tier2(g, [0], DOMAINS, [1], [6], budget=1).internal_asks == []

    def test_bad_arguments_are_refused(self) -> None:
        g = graph_of(EDGES)
        with pytest.raises(ValueError, match="budget"):
            plan_tier2(g, [0], DOMAINS, [1], [4], budget=-1)
        with pytest.raises(ValueError, match="node ids"):
            plan_tier2(g, [0], DOMAINS, [9], [4], budget=1)
        with pytest.raises(ValueError, match="domain ids"):
            plan_tier2(g, [0], DOMAINS[:3], [1], [4], budget=1)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=6, max_value=14).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=n, max_size=4 * n
            ),
            st.lists(st.integers(0, 3), min_size=n, max_size=n),
            st.integers(1, 5),
            st.integers(1, 3),
        )
    )
)
def test_random_plans_add_up_and_keep_to_the_rules(
    case: tuple[int, list[tuple[int, int]], list[int], int, int],
) -> None:
    n, edges, domains, budget, cap = case
    edges = [(s, t) for s, t in edges if s != t]
    domains = [0] + [d + 1 for d in domains[1:]]  # the target alone on domain 0
    g = graph_of(edges, n)
    into_target = sorted({s for s, t in edges if t == 0 and s != 0})
    others = [q for q in range(1, n) if q not in into_target]
    plan = plan_tier2(g, [0], domains, into_target, others, budget=budget, per_page_cap=cap)
    if plan.uses_new_pages:  # no link from an existing page gains (about a third of cases)
        return
    assert 0 < len(plan.links) <= budget
    counts = np.bincount([link.target for link in plan.links], minlength=n)
    assert counts.max() <= cap
    added = edges + [(link.source, link.target) for link in plan.links]
    assert len(set(added)) == len(set(edges)) + len(plan.links)
    before = dense_pagerank([s for s, _ in edges], [t for _, t in edges], n)[0]
    after = dense_pagerank([s for s, _ in added], [t for _, t in added], n)[0]
    assert plan.total_gain == pytest.approx(after - before, rel=1e-6, abs=1e-12)
    for link in plan.links:
        assert link.page_gain > 0
        assert domains[link.source] != domains[link.target]
