"""The rules of link opportunities: dead URLs, prospect ranking, redirects, brands, the gap."""

from __future__ import annotations

import math

import numpy as np
import pytest

from linkequity.analysis.opportunities import (
    DEAD_DNS,
    SNIPPET_CHARS,
    brand_pattern,
    brand_tokens,
    choose_redirects,
    competitor_gap,
    dead_reasons,
    derived_brand,
    find_mentions,
    prospect_order,
    slug_words,
)

NAN = float("nan")


class TestDeadReasons:
    def test_404_and_410_are_dead_other_statuses_are_not(self) -> None:
        statuses = [404, 410, 200, 301, 302, 403, 500, 503]
        assert dead_reasons(statuses, [None] * len(statuses)) == [
            "404 not found", "410 gone", None, None, None, None, None, None
        ]  # fmt: skip

    @pytest.mark.parametrize(
        "detail",
        [
            # HttpFetcher's resolver, and its loopback resolver for the sample web.
            "cannot fetch http://gone.example/: gone.example has no address: [Errno -2] x",
            "cannot fetch http://gone.example/: gone.example is not served on loopback",
            # aiohttp's own DNS error, as HttpFetcher passes it on.
            "cannot fetch http://gone.example/: [Errno -2] Name or service not known",
            "cannot fetch http://gone.example/: [Errno 8] nodename nor servname provided",
        ],
    )
    def test_a_fetch_without_status_is_dead_when_the_host_has_no_address(self, detail: str) -> None:
        assert dead_reasons([None], [detail]) == [DEAD_DNS]

    @pytest.mark.parametrize(
        "detail",
        [
            "cannot fetch http://slow.example/: no connection within 10 s (after 3 attempts)",
            "cannot fetch http://down.example/: [Errno 111] Connection refused",
            "cannot resolve flaky.example: temporary failure in name resolution",
            None,
        ],
    )
    def test_timeouts_refusals_and_unknown_failures_are_not_taken_for_dead(
        self, detail: str | None
    ) -> None:
        assert dead_reasons([None], [detail]) == [None]

    def test_a_status_wins_over_the_detail(self) -> None:
        assert dead_reasons([200], ["x has no address"]) == [None]

    def test_lengths_must_match(self) -> None:
        with pytest.raises(ValueError, match="2 statuses but 1 details"):
            dead_reasons([404, 404], [None])


class TestProspectOrder:
    def test_ranked_by_authority_times_relevance(self) -> None:
        order, priority = prospect_order([90, 50, 30], [0.1, 0.5, 0.9])
        assert priority == pytest.approx([0.09, 0.25, 0.27])
        assert order.tolist() == [2, 1, 0]

    def test_pages_without_words_come_after_by_authority(self) -> None:
        order, priority = prospect_order([10, 99, 20, 60], [0.5, NAN, 0.2, NAN])
        assert order.tolist() == [0, 2, 1, 3]
        assert math.isnan(priority[1])

    def test_without_any_authority_relevance_alone_decides(self) -> None:
        order, priority = prospect_order([NAN, NAN, NAN], [0.2, 0.7, 0.4])
        assert order.tolist() == [1, 2, 0]
        assert priority.tolist() == [0.2, 0.7, 0.4]

    def test_an_unranked_page_among_ranked_ones_counts_as_authority_zero(self) -> None:
        order, _ = prospect_order([NAN, 10], [0.9, 0.5])
        assert order.tolist() == [1, 0]

    def test_shapes_must_match(self) -> None:
        with pytest.raises(ValueError, match="must match"):
            prospect_order([1.0], [0.5, 0.5])


class TestSlugWords:
    @pytest.mark.parametrize(
        ("url", "words"),
        [
            ("https://a.example/discontinued/garden-trowels/", "discontinued garden trowels"),
            ("https://a.example/old_catalogue.html", "old catalogue"),
            ("https://a.example/blog/2019/10/raised-beds-12/index.php", "blog raised beds"),
            ("https://a.example/caf%C3%A9-cr%C3%A8me/", "café crème"),
            ("https://a.example/", ""),
        ],
    )
    def test_path_words_without_numbers_and_suffixes(self, url: str, words: str) -> None:
        assert slug_words(url) == words


class TestChooseRedirects:
    LIVE = [
        "Compost bins for small gardens: tumblers and wooden bays",
        "Garden trowels in steel and ash: which trowel lasts",
        "SproutRoot home: raised beds, compost bins and trowels",
    ]

    def test_each_dead_url_goes_to_the_page_its_words_match(self) -> None:
        choices = choose_redirects(
            ["discontinued garden trowels", "old compost bins tumblers"], self.LIVE,
            fallbacks=[2, 2],
        )  # fmt: skip
        assert [(c.page, c.is_matched) for c in choices] == [(1, True), (0, True)]
        assert all(0.05 <= c.score <= 1.0 for c in choices)

    def test_words_that_match_nothing_take_the_fallback(self) -> None:
        (choice,) = choose_redirects(["zebra quantum"], self.LIVE, fallbacks=[2])
        assert (choice.page, choice.score, choice.is_matched) == (2, 0.0, False)

    def test_a_weak_match_below_the_least_score_takes_the_fallback(self) -> None:
        (strict,) = choose_redirects(["garden trowels"], self.LIVE, fallbacks=[2], min_score=0.99)
        assert not strict.is_matched

    def test_without_live_pages_there_is_no_suggestion(self) -> None:
        (choice,) = choose_redirects(["garden trowels"], [], fallbacks=[-1])
        assert choice.page == -1
        assert not choice.is_matched

    def test_fallbacks_must_match_the_dead_urls(self) -> None:
        with pytest.raises(ValueError, match="2 dead URLs but 2 anchors and 1 fallbacks"):
            choose_redirects(["a", "b"], self.LIVE, fallbacks=[0])

    def test_the_slug_speaks_before_the_anchors(self) -> None:
        # Anchors naming the brand would pull the page to the home page.
        (choice,) = choose_redirects(
            ["garden trowels"],
            self.LIVE,
            dead_anchors=["sproutroot home sproutroot"],
            fallbacks=[0],
        )
        assert (choice.page, choice.basis) == (1, "slug")

    def test_anchors_choose_when_the_slug_matches_nothing(self) -> None:
        (choice,) = choose_redirects(
            ["p 1234"], self.LIVE, dead_anchors=["compost tumblers"], fallbacks=[2]
        )
        assert (choice.page, choice.basis, choice.is_matched) == (0, "slug and anchors", True)


class TestBrands:
    def test_a_brand_is_the_first_label_of_the_domain(self) -> None:
        assert derived_brand("acmewidgets.com") == "acmewidgets"
        assert derived_brand("Sprout-Root.co.uk") == "sprout-root"

    def test_words_split_at_case_changes_and_punctuation(self) -> None:
        assert brand_tokens("SproutRoot") == ["sprout", "root"]
        assert brand_tokens("acme-widgets") == ["acme", "widgets"]
        assert brand_tokens("HTTPServer 2") == ["http", "server", "2"]
        assert brand_tokens("Web2Print") == ["web", "2", "print"]

    def test_words_of_any_script_are_kept_whole(self) -> None:
        assert brand_tokens("CaféCrème") == ["café", "crème"]
        assert brand_tokens("Гарден Шоп") == ["гарден", "шоп"]
        pattern = brand_pattern(["CaféCrème"])
        assert pattern.search("Chez café-crème, on")
        assert not pattern.search("cafécrèmes")

    @pytest.mark.parametrize(
        "text",
        [
            "We tried SproutRoot last spring.",
            "sproutroot beds",
            "the Sprout Root planter",
            "sprout-root.example is a shop",
            "SPROUT_ROOT!",
        ],
    )
    def test_a_brand_matches_joined_spaced_or_hyphenated_in_any_case(self, text: str) -> None:
        assert brand_pattern(["SproutRoot"]).search(text)

    @pytest.mark.parametrize(
        "text",
        ["sproutroots grow", "a sprout. Root vegetables", "xsproutroot", "sprout  root", "sprout"],
    )
    def test_a_brand_matches_whole_words_only(self, text: str) -> None:
        assert not brand_pattern(["SproutRoot"]).search(text)

    def test_any_of_several_brands_matches(self) -> None:
        pattern = brand_pattern(["Acme", "Widgets Co"])
        assert [bool(pattern.search(t)) for t in ["acme", "widgets co", "widgets"]] == [
            True, True, False
        ]  # fmt: skip

    def test_regex_characters_in_a_brand_are_literal(self) -> None:
        pattern = brand_pattern(["A.B (C+)"])
        assert pattern.search("we like a b c")
        assert not pattern.search("aXb c")

    def test_a_brand_without_letters_or_digits_is_refused(self) -> None:
        with pytest.raises(ValueError, match="no brand"):
            brand_pattern(["--", "  "])

    def test_mentions_are_counted_with_the_first_in_context(self) -> None:
        text = "x" * 100 + " SproutRoot and sprout-root again " + "y" * 100
        (mention, none) = find_mentions([text, None], brand_pattern(["SproutRoot"]))
        assert (mention.count, mention.matched) == (2, "SproutRoot")
        assert mention.snippet.startswith("…")
        assert mention.snippet.endswith("…")
        assert len(mention.snippet) == 2 * SNIPPET_CHARS + len("SproutRoot") + 2
        assert (none.count, none.snippet) == (0, "")


class TestCompetitorGap:
    # Sources 0..3; competitors 0..2; -1 is the target.
    SOURCES = [0, 0, 1, 1, 1, 2, 2, 2, 3]
    LINKED = [0, 1, 0, 1, -1, 0, 1, 2, 2]

    def test_domains_linking_to_n_competitors_and_not_the_target(self) -> None:
        gap = competitor_gap(self.SOURCES, self.LINKED, 4, 3, min_competitors=2)
        # 1 links to the target; 3 to one competitor only; 2 to three before 0's two.
        assert gap.domains.tolist() == [2, 0]
        assert gap.competitors == [[0, 1, 2], [0, 1]]

    def test_n_is_the_threshold(self) -> None:
        three = competitor_gap(self.SOURCES, self.LINKED, 4, 3, min_competitors=3)
        one = competitor_gap(self.SOURCES, self.LINKED, 4, 3, min_competitors=1)
        assert three.competitors == [[0, 1, 2]]
        assert one.domains.tolist() == [2, 0, 3]

    def test_authority_breaks_ties(self) -> None:
        gap = competitor_gap([0, 0, 1, 1], [0, 1, 0, 1], 2, 2, authority=[10.0, 80.0])
        assert gap.domains.tolist() == [1, 0]
        gap = competitor_gap([0, 0, 1, 1], [0, 1, 0, 1], 2, 2, authority=[NAN, 5.0])
        assert gap.domains.tolist() == [1, 0]

    def test_repeated_pairs_count_a_competitor_once(self) -> None:
        gap = competitor_gap([0, 0, 0], [1, 1, 1], 1, 2, min_competitors=2)
        assert gap.domains.size == 0

    def test_no_pairs_no_gap(self) -> None:
        gap = competitor_gap(np.array([], int), np.array([], int), 0, 0)
        assert gap.domains.tolist() == []

    def test_n_must_be_positive(self) -> None:
        with pytest.raises(ValueError, match="at least 1"):
            competitor_gap([0], [0], 1, 1, min_competitors=0)
