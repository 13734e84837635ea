"""The HTML report: web text stays text, nothing loads from the network, parts stand alone."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from linkequity.report.html import (
    ROW_LIMIT,
    Column,
    render_anchors,
    render_opportunities,
    render_overview,
    render_plan,
    render_profile,
    render_report,
    render_table,
    render_tier_graph,
    render_tiers,
    render_toxicity,
    render_velocity,
    report_script,
    report_stylesheet,
    safe_href,
)
from linkequity.report.tier_graph import layout_tiers

TITLE = "<script>alert(1)</script>"
ANCHOR = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
PAGE = "https://blog.example/post"
TARGET = "https://money.example/"


def link_row(**extra: Any) -> dict[str, Any]:
    return {"source": PAGE, "target": TARGET, **extra}


def reason(text: str) -> dict[str, Any]:
    return {"signal": "link_farm", "value": 1.0, "weight": 0.9, "points": 90.0, "text": text}


def sample_data() -> dict[str, Any]:
    """A report's plain values with hostile text in every field the web can fill."""
    tier1 = [
        {
            "url": url,
            "domain": domain,
            "equity": equity,
            "share": equity / 0.5,
            "influence": 1.2,
            "links": 1,
            "followed_links": 1,
            "placements": [ANCHOR],
            "rels": ["followed"],
            "indexability": TITLE,
        }
        for url, domain, equity in (
            (PAGE, "blog.example", 0.02),
            (JS_URL, ANCHOR, 0.01),
            ("https://c.example/a", "c.example", 0.001),
        )
    ]
    edge = {"is_internal": False, "source_domain": ANCHOR, "anchor": ANCHOR, "rel": "followed"}
    edges = [
        {**edge, "tier": 1, "source": PAGE, "target": TARGET, "is_followed": True},
        {**edge, "tier": 1, "source": JS_URL, "target": TARGET, "is_followed": True},
        {
            **edge,
            "tier": 1,
            "source": "https://c.example/a",
            "target": TARGET,
            "is_followed": False,
        },
        {
            **edge,
            "tier": 2,
            "source": "https://d.example/" + ANCHOR,
            "target": PAGE,
            "is_followed": True,
        },
        {**edge, "tier": 2, "source": "https://e.example/", "target": JS_URL, "is_followed": False},
        {
            **edge,
            "tier": 3,
            "source": "https://f.example/",
            "target": "https://e.example/",
            "is_followed": True,
        },
    ]
    audit = {
        "snapshot_id": 1,
        "target": [ANCHOR],
        "target_pages": 3,
        "totals": {
            "links": 10,
            "referring_pages": 4,
            "referring_domains": 3,
            "linked_pages": 2,
            "followed_links": 8,
            "followed_domains": 2,
        },
        "rel_mix": [
            {"rel": "followed", "links": 8, "referring_domains": 2},
            {"rel": "nofollow", "links": 2, "referring_domains": 1},
        ],
        "placement_mix": [{"placement": "content", "links": 10, "referring_domains": 3}],
        "anchors": {
            "classes": [
                {
                    "class": "exact",
                    "links": 10,
                    "referring_domains": 3,
                    "link_share": 1.0,
                    "domain_share": 1.0,
                }
            ],
            "top": [
                {
                    "anchor": ANCHOR,
                    "class": "exact",
                    "links": 10,
                    "referring_domains": 3,
                    "domain_share": 1.0,
                }
            ],
            "alerts": [{"rule": "exact", "value": 1.0, "limit": 0.1, "message": TITLE}],
            "brands": [TITLE],
            "keywords": [ANCHOR],
        },
        "top_pages": [{"url": JS_URL, "links": 10, "referring_domains": 3, "followed_domains": 2}],
        "authority": {
            "ranked_snapshot_id": 1,
            "buckets": [
                {"from": None, "to": None, "referring_domains": 1},
                {"from": 10, "to": 20, "referring_domains": 2},
            ],
        },
        "toxicity": {
            "threshold": 69.0,
            "domains_scored": 3,
            "toxic_domains": 1,
            "toxic_links": 2,
            "no_value_links": 1,
            "domains": [
                {
                    "domain": ANCHOR,
                    "score": 96.5,
                    "is_toxic": True,
                    "links": 2,
                    "toxic_links": 2,
                    "reasons": [reason(TITLE)],
                }
            ],
            "links": [link_row(source=JS_URL, anchor=ANCHOR, score=96.5, reasons=[reason(ANCHOR)])],
            "unavailable": [TITLE],
        },
        "lost": {
            "since": "2026-01-01T00:00:00",
            "count": 1,
            "links": [
                {
                    "source_url": JS_URL,
                    "target_url": TARGET,
                    "anchor": ANCHOR,
                    "lost_at": "2026-02-01",
                    "reason": TITLE,
                }
            ],
        },
        "opportunities": {
            "found": {"broken": 1, "reclaim": 1, "mentions": 1, "gap": 1},
            "broken": [
                {
                    "url": JS_URL,
                    "domain": ANCHOR,
                    "authority": None,
                    "relevance": 0.5,
                    "priority": 0.5,
                    "why": TITLE,
                }
            ],
            "reclaim": [
                {
                    "url": TARGET + "old",
                    "reason": "404",
                    "referring_domains": 1,
                    "redirect_to": JS_URL,
                    "redirect_why": ANCHOR,
                }
            ],
            "mentions": [
                {
                    "url": PAGE,
                    "title": TITLE,
                    "authority": 3.0,
                    "matched": [ANCHOR],
                    "snippet": ANCHOR,
                }
            ],
            "gap": [
                {
                    "domain": ANCHOR,
                    "competitors": 2,
                    "competitors_linked": [TITLE],
                    "authority": None,
                    "links": 3,
                }
            ],
            "notes": [TITLE],
        },
        "notes": [TITLE, "anchors: " + ANCHOR],
    }
    tiers = {
        "snapshot_id": 1,
        "target": [ANCHOR],
        "target_pages": 3,
        "target_domains": [ANCHOR],
        "depth": 3,
        "damping": 0.85,
        "target_rank": 0.5,
        "target_domain_rank": 0.2,
        "tier_rule": "a page is in the lowest tier it reaches",
        "tiers": [
            {
                "tier": 1,
                "pages": 3,
                "external_pages": 3,
                "internal_pages": 0,
                "external_links": 3,
                "internal_links": 0,
            },
            {
                "tier": 2,
                "pages": 2,
                "external_pages": 2,
                "internal_pages": 0,
                "external_links": 2,
                "internal_links": 0,
            },
            {
                "tier": 3,
                "pages": 1,
                "external_pages": 1,
                "internal_pages": 0,
                "external_links": 1,
                "internal_links": 0,
            },
        ],
        "pages": tier1,
        "domains": [
            {"domain": ANCHOR, "equity": 0.03, "share": 0.06, "influence": 1.0, "pages": 2}
        ],
        "paths": [{"nodes": [JS_URL, TITLE], "share": 0.01}],
        "domain_paths": [{"nodes": [ANCHOR, TITLE], "share": 0.02}],
        "edges": edges,
    }
    plan = {
        "snapshot_id": 1,
        "target": [ANCHOR],
        "target_rank": 0.5,
        "target_domain_rank": 0.2,
        "budget": 2,
        "per_page_cap": 2,
        "total_gain": 0.003,
        "total_share": 0.006,
        "links": [
            link_row(
                source=JS_URL,
                target=PAGE,
                nth=1,
                page_gain=0.003,
                page_share=0.006,
                domain_gain=0.01,
                anchor_class="branded",
                anchor_hint=ANCHOR,
                why=TITLE,
            )
        ],
        "options": [
            {
                "target": PAGE,
                "source": JS_URL,
                "page_gain": 0.002,
                "domain_gain": 0.0,
                "is_own": False,
            }
        ],
        "internal_asks": [{"target": PAGE, "source": JS_URL, "page_gain": 1e-5}],
        "candidates": [
            {
                "url": PAGE,
                "domain": ANCHOR,
                "page_gain": 0.004,
                "domain_gain": 0.01,
                "influence": 1.2,
                "cautions": [TITLE],
            }
        ],
        "rejected": [{"url": JS_URL, "domain": ANCHOR, "reasons": [TITLE]}],
        "anchor_mix": [
            {
                "target": PAGE,
                "new_links": 1,
                "current": {ANCHOR: 1},
                "new": {"branded": 1},
                "alerts": [{"message": TITLE}],
            }
        ],
        "footprints": [
            {"rule": "all_followed", "is_risk": True, "message": ANCHOR, "pages": [JS_URL]}
        ],
        "notes": [TITLE],
    }
    diff = {
        "velocity": [
            {
                "week": "2026-W01",
                "new_links": 3,
                "lost_links": 1,
                "new_domains": 1,
                "lost_domains": 0,
                "link_score": None,
                "is_link_spike": False,
                "is_domain_spike": True,
            }
        ],
        "spike_weeks": ["2026-W01"],
        "links_in_spikes": 3,
        "spike_rule": "a rule",
    }
    return {
        "target": [ANCHOR],
        "db": TITLE,
        "generated_at": "2026-12-03T00:00:00Z",
        "version": "0",
        "audit": audit,
        "tiers": tiers,
        "plan": plan,
        "diff": diff,
    }


@pytest.fixture(scope="module")
def page() -> str:
    return render_report(sample_data())


@pytest.fixture(scope="module")
def tree(page: str) -> LexborHTMLParser:
    return LexborHTMLParser(page)


def test_ids_are_unique(tree: LexborHTMLParser) -> None:
    ids = [node.attributes["id"] for node in tree.css("[id]")]
    assert len(ids) == len(set(ids))


def test_the_only_script_is_ours_and_no_element_came_from_data(tree: LexborHTMLParser) -> None:
    scripts = tree.css("script")
    assert len(scripts) == 1
    assert scripts[0].text() == report_script()
    assert tree.css("img") == []  # the anchor's <img> is text, not an element
    for node in tree.css("*"):
        handlers = [name for name in node.attributes if name.lower().startswith("on")]
        assert handlers == [], (node.tag, handlers)


def test_hostile_text_is_shown_as_text(page: str, tree: LexborHTMLParser) -> None:
    assert TITLE not in page
    assert ANCHOR not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    cells = {cell.text() for cell in tree.css("td")}
    assert ANCHOR in cells  # shown as written, and as data
    assert JS_URL in cells
    assert tree.css_first("h1").text() == f"Backlink report: {ANCHOR}"


def test_only_http_urls_become_links_and_they_are_nofollow(tree: LexborHTMLParser) -> None:
    links = tree.css("a[href]")
    external = [a for a in links if not (a.attributes["href"] or "").startswith("#")]
    assert external
    for a in external:
        assert re.match(r"https?://", a.attributes["href"] or "")
        assert set((a.attributes.get("rel") or "").split()) >= {
            "noopener",
            "noreferrer",
            "nofollow",
        }
    assert not [a for a in links if "javascript" in (a.attributes["href"] or "").lower()]


def test_nothing_is_loaded_from_the_network(page: str, tree: LexborHTMLParser) -> None:
    assert tree.css("[src]") == []
    assert tree.css("link") == []
    assert tree.css("iframe, object, embed, base") == []
    assert not re.search(r"url\(|@import|https?://", report_stylesheet())
    assert "http" not in report_script()
    assert "fetch(" not in report_script()
    assert "XMLHttpRequest" not in report_script()


def test_the_csp_allows_exactly_our_style_and_script(tree: LexborHTMLParser) -> None:
    meta = tree.css_first('meta[http-equiv="Content-Security-Policy"]')
    assert meta is not None
    policy = meta.attributes["content"] or ""

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    style = tree.css_first("style")
    assert style is not None
    assert f"style-src 'sha256-{digest(style.text())}'" in policy
    assert f"script-src 'sha256-{digest(tree.css_first('script').text())}'" in policy
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy


def test_our_script_never_writes_html() -> None:
    script = report_script()
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "Function(",
    ):
        assert sink not in script


@pytest.mark.parametrize(
    "url",
    [
        JS_URL,
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "//evil.example/",
        "https://a.example/\nx",
        "http://a b.example/",
        None,
        3,
    ],
)
def test_unsafe_urls_are_no_links(url: object) -> None:
    assert safe_href(url) is None


def test_http_urls_are_links() -> None:
    assert safe_href("HTTPS://A.example/x?y=1&z=2") == "HTTPS://A.example/x?y=1&z=2"
    assert safe_href("http://a.example/") == "http://a.example/"


@pytest.mark.parametrize(
    ("render", "part"),
    [
        (lambda d: render_overview(d["audit"], d["tiers"], d["plan"]), "overview"),
        (lambda d: render_profile(d["audit"]), "profile"),
        (lambda d: render_anchors(d["audit"]), "anchors"),
        (lambda d: render_velocity(d["diff"], d["audit"]["lost"]), "velocity"),
        (lambda d: render_toxicity(d["audit"]), "toxicity"),
        (lambda d: render_tier_graph(d["tiers"]), "tier-graph"),
        (lambda d: render_tiers(d["tiers"]), "tiers"),
        (lambda d: render_plan(d["plan"]), "plan"),
        (lambda d: render_opportunities(d["audit"]["opportunities"]), "opportunities"),
    ],
)
def test_each_part_renders_alone_as_one_safe_section(render: Any, part: str) -> None:
    fragment = str(render(sample_data()))
    tree = LexborHTMLParser(f"<body>{fragment}</body>")
    sections = tree.css("body > section")
    assert [s.attributes["id"] for s in sections] == [part]
    assert tree.css("script, img") == []
    assert TITLE not in fragment
    assert ANCHOR not in fragment


def test_cells_carry_exact_values_and_tables_say_what_is_cut() -> None:
    rows = [{"url": f"https://a.example/{i}", "gain": i / 3} for i in range(ROW_LIMIT + 5)]
    html = render_table(
        rows,
        (Column("url", "page", "url"), Column("gain", "gain", "float")),
        name="t",
        caption="Gains",
    )
    tree = LexborHTMLParser(f"<body>{html}</body>")
    body_rows = tree.css("tbody tr")
    assert len(body_rows) == ROW_LIMIT
    cell = body_rows[1].css_first('td[data-key="gain"]')
    assert float(cell.attributes["data-value"] or "nan") == 1 / 3
    assert cell.text() == "0.333"
    assert f"{ROW_LIMIT} of {ROW_LIMIT + 5} rows shown" in tree.text()


def test_cards_hold_the_exact_numbers(tree: LexborHTMLParser) -> None:
    data = sample_data()
    cards = {c.attributes["data-metric"]: c.attributes["data-value"] for c in tree.css(".card")}
    assert cards["audit.totals.links"] == "10"
    assert cards["tiers.tiers.2.pages"] == "2"
    assert float(cards["plan.total_gain"] or "nan") == data["plan"]["total_gain"]


class TestTierGraph:
    def test_layout_caps_each_tier_and_counts_the_hidden(self) -> None:
        layout = layout_tiers(sample_data()["tiers"], max_nodes={1: 2, 2: 5, 3: 5})
        assert layout.shown[1] == 2
        assert layout.hidden == {1: 1, 2: 0, 3: 0}
        # the page cut from tier 1 (least equity) takes its tier-2 page with it
        urls = {node.url for node in layout.nodes}
        assert "https://c.example/a" not in urls
        assert "https://d.example/" + ANCHOR in urls

    def test_radius_and_width_grow_with_equity_and_unfollowed_is_dashed(self) -> None:
        layout = layout_tiers(sample_data()["tiers"])
        tier1 = {node.url: node for node in layout.nodes if node.tier == 1}
        assert tier1[PAGE].radius > tier1[JS_URL].radius > tier1["https://c.example/a"].radius
        to_target = {layout.nodes[e.source].url: e for e in layout.edges if e.tier == 1}
        assert to_target[PAGE].width > to_target[JS_URL].width
        assert not to_target["https://c.example/a"].is_followed
        svg = str(render_tier_graph(sample_data()["tiers"]))
        assert svg.count("edge tier-1 unfollowed") == 1

    def test_layout_is_deterministic_and_columns_run_right_to_left(self) -> None:
        first = layout_tiers(sample_data()["tiers"])
        assert first == layout_tiers(sample_data()["tiers"])
        x = {node.tier: node.x for node in first.nodes}
        assert x[0] > x[1] > x[2] > x[3]

    def test_stored_authority_sizes_the_nodes_when_the_project_was_ranked(self) -> None:
        tiers = sample_data()["tiers"]
        authority = {"https://c.example/a": 90.0, PAGE: 10.0, "https://e.example/": 50.0}
        layout = layout_tiers(tiers, authority=authority)
        radius = {node.url: node.radius for node in layout.nodes}
        # c.example passes the least equity but has the most authority: it is the biggest now
        assert radius["https://c.example/a"] > radius["https://e.example/"] > radius[PAGE]
        assert radius[JS_URL] == min(radius.values())  # not scored: smallest
        assert layout.is_sized_by_authority
        page = str(
            render_tier_graph(tiers, authority={"ranked_snapshot_id": 4, "pages": authority})
        )
        assert "authority (the rank of snapshot 4" in page
        assert 'data-authority="90.0"' in page
        assert "never ranked" in str(render_tier_graph(tiers))

    def test_nodes_carry_their_url_as_escaped_data(self) -> None:
        tree = LexborHTMLParser(f"<body>{render_tier_graph(sample_data()['tiers'])}</body>")
        nodes = tree.css("g.node")
        assert {n.attributes["data-url"] for n in nodes} >= {
            PAGE,
            JS_URL,
            "https://d.example/" + ANCHOR,
        }
        assert tree.css("img, script") == []
