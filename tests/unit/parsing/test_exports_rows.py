from __future__ import annotations

import runpy
from datetime import UTC, datetime
from pathlib import Path

import pytest

from linkequity.errors import BadExportRow, ExportFileError, InvalidUrl
from linkequity.model.links import LinkSighting, ReferringDomainReport, TargetPageReport
from linkequity.parsing.export_formats import detect_format
from linkequity.parsing.exports import MAX_FIELD_CHARS, BadRow, RowReader, SiteRequired

DATA = runpy.run_path(str(Path(__file__).parents[2] / "fixtures" / "exports" / "make_fixtures.py"))
SITE = "https://www.example-garden.com/"
A = "https://www.example-garden.com"


def reader(headers: list[str], **options: str | bool | None) -> RowReader:
    return RowReader(detect_format(headers), headers, **options)  # type: ignore[arg-type]


def sighting(headers: list[str], row: list[str], **options: str | bool | None) -> LinkSighting:
    record = reader(headers, **options).read(row, line=2)
    assert isinstance(record, LinkSighting)
    return record


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# --- Ahrefs -------------------------------------------------------------------------------


def ahrefs(index: int) -> LinkSighting:
    return sighting(DATA["AHREFS_HEADERS"], DATA["AHREFS_ROWS"][index])


def test_ahrefs_editorial_link() -> None:
    link = ahrefs(0)
    assert link.source_url == "https://blog.shadeplants.example/perennials/ten-shady"
    assert link.target_url == f"{A}/hostas/"
    assert link.anchor == "Example Garden"
    assert link.source_title == "Ten shady perennials that actually flower"
    assert link.source_status == 200
    assert link.source_language == "en"
    assert link.left_context == "We buy our bare-root hostas from"
    assert link.right_context == "every spring."
    assert (link.is_nofollow, link.is_ugc, link.is_sponsored) == (False, False, False)
    assert link.passes_equity is True
    assert link.link_type == "text"
    assert link.is_image is False
    assert link.first_seen == utc(2025, 3, 14, 8, 21, 44)
    assert link.last_seen == utc(2026, 1, 20, 11, 2, 9)
    assert link.lost_at is None
    assert link.row == 2
    assert link.tool_metrics == {
        "domain_rating": 54.0,
        "url_rating": 21.3,
        "domain_traffic": 12480.0,
        "referring_domains": 1840.0,
        "linked_domains": 35.0,
        "external_links": 48.0,
        "page_traffic": 310.0,
        "keywords": 112.0,
        "links_in_group": 1.0,
        "platform": "wordpress",
        "author": "Mara Quill",
        "page_type": "article",
        "page_category": "Home & Garden",
        "is_spam": 0.0,
        "is_content": 1.0,
        "is_rendered": 0.0,
        "is_raw": 1.0,
    }


def test_ahrefs_quotes_commas_and_newlines_are_kept() -> None:
    link = ahrefs(1)
    assert link.anchor == 'the "best" compost bins, reviewed'
    assert link.source_title == 'Compost "hot" vs "cold", compared'
    assert link.left_context == "Read more\nabout soil, heat and time:"
    assert link.right_context is None
    assert link.tool_metrics["domain_traffic"] == 2150.0
    assert link.source_url == "https://compost-corner.test/guides/hot-vs-cold?ref=nav"


def test_ahrefs_image_link_with_empty_anchor() -> None:
    link = ahrefs(2)
    assert (link.anchor, link.link_type, link.is_image, link.alt) == ("", "image", True, None)
    assert "page_type" not in link.tool_metrics


def test_ahrefs_nofollow_ugc_and_sponsored() -> None:
    forum, deals = ahrefs(3), ahrefs(4)
    assert (forum.is_nofollow, forum.is_ugc, forum.is_sponsored) == (True, True, False)
    assert (deals.is_nofollow, deals.is_ugc, deals.is_sponsored) == (True, False, True)
    assert forum.passes_equity is False
    assert forum.tool_metrics["is_content"] == 0.0


def test_ahrefs_lost_link() -> None:
    link = ahrefs(5)
    assert link.source_status == 404
    assert link.lost_at == utc(2025, 12, 4)
    assert link.lost_reason == "removed"
    assert link.tool_metrics["drop_reason"] == "Page not found"
    assert link.tool_metrics["is_spam"] == 1.0


def test_ahrefs_redirect_chain() -> None:
    link = ahrefs(6)
    assert link.link_type == "redirect"
    assert link.source_language == "de"
    assert link.tool_metrics["redirect_chain_status_codes"] == "301"
    assert link.source_title == "Gartenbedarf – Empfehlungen"


def test_ahrefs_image_alt_is_the_anchor() -> None:
    row = DATA["AHREFS_ROWS"][2].copy()
    row[DATA["AHREFS_HEADERS"].index("Anchor")] = "Seed swap logo"
    link = sighting(DATA["AHREFS_HEADERS"], row)
    assert link.alt == "Seed swap logo"


# --- Semrush ------------------------------------------------------------------------------


def semrush(index: int) -> LinkSighting:
    return sighting(DATA["SEMRUSH_HEADERS"], DATA["SEMRUSH_ROWS"][index])


def test_semrush_ui_row() -> None:
    link = semrush(0)
    assert link.source_title == "Ten shady perennials"
    assert link.anchor == "Example Garden"
    assert (link.is_nofollow, link.is_sponsored, link.is_ugc) == (False, False, False)
    assert (link.link_type, link.is_image, link.is_sitewide) == ("text", False, False)
    assert link.first_seen == utc(2025, 3, 20)
    assert link.last_seen == utc(2026, 2, 1)
    assert link.tool_metrics == {
        "page_ascore": 31.0,
        "external_links": 48.0,
        "internal_links": 130.0,
        "is_new_link": 0.0,
    }


def test_semrush_sitewide_image_sponsored_and_lost() -> None:
    assert semrush(1).is_sitewide is True
    image = semrush(2)
    assert (image.link_type, image.is_image, image.anchor) == ("image", True, "")
    assert image.tool_metrics["is_new_link"] == 1.0
    deals = semrush(3)
    assert (deals.is_nofollow, deals.is_sponsored) == (True, True)
    lost = semrush(4)
    assert lost.is_ugc is True
    assert lost.lost_at == utc(2025, 12, 30)
    assert lost.lost_reason == "lost"
    assert lost.tool_metrics["external_links"] == 1240.0


@pytest.mark.parametrize(
    ("index", "message"),
    [
        (5, "line 2: source URL 'htp:/not-a-url' is not a URL"),
        (6, "line 2: external links: 'lots' is not a number"),
    ],
)
def test_semrush_bad_rows(index: int, message: str) -> None:
    with pytest.raises(BadExportRow) as caught:
        semrush(index)
    assert str(caught.value) == message
    assert isinstance(caught.value, BadRow)
    assert caught.value.line == 2


def test_semrush_api_unix_timestamps() -> None:
    link = sighting(DATA["SEMRUSH_API_HEADERS"], DATA["SEMRUSH_API_ROWS"][1])
    assert link.first_seen == utc(2026, 1, 6)
    assert link.last_seen == utc(2026, 2, 10)
    assert link.is_nofollow is True
    assert link.is_sponsored is None
    assert link.source_title == "Spring deals; 20% off"
    assert link.tool_metrics == {
        "page_ascore": 19.0,
        "external_links": 120.0,
        "internal_links": 300.0,
    }


def test_semrush_referring_domains_ui() -> None:
    headers = DATA["SEMRUSH_DOMAINS_HEADERS"]
    read = reader(headers)
    first = read.read(DATA["SEMRUSH_DOMAINS_ROWS"][0], line=2)
    assert first == ReferringDomainReport(
        domain="shadeplants.example",
        row=2,
        backlinks=12,
        authority=45.0,
        ip_address="192.0.2.10",
        country="US",
        first_seen=utc(2025, 3, 20),
        last_seen=utc(2026, 2, 1),
        tool_metrics={"domain_ascore": 45.0},
    )
    third = read.read(DATA["SEMRUSH_DOMAINS_ROWS"][2], line=4)
    assert isinstance(third, ReferringDomainReport)
    assert (third.backlinks, third.country) == (1240, None)
    fourth = read.read(DATA["SEMRUSH_DOMAINS_ROWS"][3], line=5)
    assert isinstance(fourth, ReferringDomainReport)
    assert (fourth.authority, fourth.country, fourth.ip_address) == (None, None, None)


def test_semrush_referring_domains_api_with_authority_score() -> None:
    headers = ["authority_score", "domain", "backlinks_num", "ip", "country", "first_seen"]
    record = reader(headers).read(["12", "Pond.Example", "3", "", "de", "1767657600"], line=9)
    assert isinstance(record, ReferringDomainReport)
    assert (record.domain, record.authority, record.backlinks) == ("pond.example", 12.0, 3)
    assert record.first_seen == utc(2026, 1, 6)


# --- Majestic -----------------------------------------------------------------------------


def majestic(index: int) -> LinkSighting:
    return sighting(DATA["MAJESTIC_HEADERS"], DATA["MAJESTIC_ROWS"][index])


def test_majestic_row() -> None:
    link = majestic(0)
    assert link.target_url == f"{A}/hostas/"
    assert link.last_seen == utc(2026, 1, 22)
    assert link.first_seen == utc(2025, 3, 15)
    assert (link.is_nofollow, link.is_image, link.link_type) == (False, False, "text")
    assert link.is_sponsored is None
    assert link.tool_metrics == {
        "source_citation_flow": 33.0,
        "source_trust_flow": 27.0,
        "target_citation_flow": 25.0,
        "target_trust_flow": 19.0,
        "flag_old_crawl": 0.0,
        "source_topical_trust_flow_topic_0": "Recreation/Home and Garden",
        "source_topical_trust_flow_value_0": 24.0,
        "source_topical_trust_flow_topic_1": "Science/Biology",
        "source_topical_trust_flow_value_1": 9.0,
        "refdomain_topical_trust_flow_topic_0": "Recreation/Home and Garden",
        "refdomain_topical_trust_flow_value_0": 30.0,
    }


def test_majestic_flags() -> None:
    image = majestic(1)
    assert (image.is_image, image.link_type, image.alt) == (True, "image", "Example Garden logo")
    assert image.is_nofollow is False
    assert majestic(2).is_nofollow is True
    redirect = majestic(3)
    assert redirect.link_type == "redirect"
    assert redirect.tool_metrics["flag_old_crawl"] == 1.0
    assert majestic(4).link_type == "mention"


def test_majestic_flags_as_digits() -> None:
    headers = ["Source URL", "Target URL", "Anchor Text", "FlagNoFollow", "FlagFrame"]
    link = sighting(headers, ["https://a.example/", f"{A}/", "x", "1", "1"])
    assert (link.is_nofollow, link.link_type) == (True, "frame")


# --- Moz ----------------------------------------------------------------------------------


def test_moz_rows() -> None:
    headers, rows = DATA["MOZ_HEADERS"], DATA["MOZ_ROWS"]
    first = sighting(headers, rows[0])
    assert first.source_title == "Ten shady perennials"
    assert first.anchor == "Example Garden"
    assert first.is_nofollow is False
    assert first.tool_metrics["domain_authority"] == 45.0
    assert first.tool_metrics["page_authority"] == 32.0
    assert first.tool_metrics["spam_score"] == 1.0
    assert first.tool_metrics["linking_domains_to_domain"] == 1870.0
    assert first.tool_metrics["origin"] == "external"
    nofollow = sighting(headers, rows[1])
    assert nofollow.is_nofollow is True
    assert "spam_score" not in nofollow.tool_metrics
    assert sighting(headers, rows[2]).link_type == "redirect"


def test_moz_followable_and_link_type_columns() -> None:
    old = ["URL", "Title", "Anchor Text", "Followable", "Target URL"]
    assert sighting(old, ["https://a.example/", "", "x", "No", f"{A}/"]).is_nofollow is True
    new = ["Source URL", "Target URL", "Anchor Text", "Link Type", "Domain Authority"]
    link = sighting(new, ["https://a.example/", f"{A}/", "x", "nofollow", "12"])
    assert (link.is_nofollow, link.link_type) == (True, "nofollow")


# --- Search Console -----------------------------------------------------------------------


def test_gsc_latest_links_target_is_the_site() -> None:
    link = sighting(
        ["Linking page", "Last crawled"], ["https://a.example/p", "Sep 15, 2026"], site=SITE
    )
    assert link.target_url == SITE
    assert link.is_target_inferred is True
    assert link.anchor == ""
    assert link.last_seen == utc(2026, 9, 15)
    assert link.passes_equity is None


def test_gsc_sample_links() -> None:
    link = sighting(["Linking page"], ["https://a.example/p"], site="https://Example.com")
    assert (link.target_url, link.last_seen) == ("https://example.com/", None)


@pytest.mark.parametrize("headers", [["Linking page", "Last crawled"], ["Linking page"]])
def test_gsc_links_need_a_site(headers: list[str]) -> None:
    with pytest.raises(SiteRequired, match="pass --site https://example.com/") as caught:
        reader(headers)
    assert isinstance(caught.value, ExportFileError)
    assert "\n" not in str(caught.value)


def test_gsc_site_must_be_a_url() -> None:
    with pytest.raises(InvalidUrl):
        reader(["Linking page"], site="not a url")


def test_gsc_top_linking_sites() -> None:
    read = reader(["Site", "Linking pages", "Target pages"])
    record = read.read(["Big-Blog.example.com", "1,240", "12"], line=3)
    assert record == ReferringDomainReport(
        domain="big-blog.example.com", row=3, linking_pages=1240, target_pages=12
    )


def test_gsc_top_linked_pages() -> None:
    read = reader(["Target page", "Incoming links", "Linking sites"])
    record = read.read([f"{A}/", "2,100", "80"], line=2)
    assert record == TargetPageReport(
        target_url=f"{A}/", row=2, incoming_links=2100, linking_sites=80
    )


def test_localised_gsc_headers() -> None:
    spanish = sighting(
        ["Página con enlaces", "Último rastreo"], ["https://a.example/", "28/09/2026"], site=SITE
    )
    assert spanish.last_seen == utc(2026, 9, 28)
    hebrew = reader(["אתר", "דפים מקשרים", "דפי יעד"]).read(["a.example", "3", "1"], line=2)
    assert isinstance(hebrew, ReferringDomainReport)
    assert hebrew.linking_pages == 3


def test_day_first_is_used_for_ambiguous_dates() -> None:
    headers = ["Linking page", "Last crawled"]
    row = ["https://a.example/", "03/04/2026"]
    assert sighting(headers, row, site=SITE).last_seen == utc(2026, 3, 4)
    assert sighting(headers, row, site=SITE, day_first=True).last_seen == utc(2026, 4, 3)


# --- bad rows and hostile text ------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["", f"{A}/", "x", "-"], "line 17: source URL is empty"),
        (["https://a.example/", "", "x", "-"], "line 17: target URL is empty"),
        (
            ["https://a.example/", "mailto:x@example.com", "x", "-"],
            "line 17: target URL 'mailto:x@example.com' is not a URL",
        ),
        (
            ["https://a.example/", f"{A}/", "x", "maybe"],
            "line 17: nofollow: 'maybe' is not yes or no",
        ),
    ],
)
def test_bad_row_messages(row: list[str], message: str) -> None:
    read = reader(["Source URL", "Target URL", "Anchor Text", "FlagNoFollow"])
    with pytest.raises(BadRow) as caught:
        read.read(row, line=17)
    assert str(caught.value) == message
    assert caught.value.line == 17
    assert str(caught.value.in_file(Path("x.csv"))) == message.replace("line 17", "x.csv:17")


def test_bad_date_and_bad_domain() -> None:
    with pytest.raises(BadRow, match="line 4: last seen: 'soon' is not a date"):
        reader(["Linking page", "Last crawled"], site=SITE).read(
            ["https://a.example/", "soon"], line=4
        )
    with pytest.raises(BadRow, match="line 5: domain 'not a domain!' is not a domain"):
        reader(["Site", "Linking pages"]).read(["not a domain!", "1"], line=5)
    with pytest.raises(BadRow, match="line 6: domain is empty"):
        reader(["Site", "Linking pages"]).read(["", "1"], line=6)


def test_short_rows_read_missing_cells_as_empty() -> None:
    link = sighting(DATA["SEMRUSH_HEADERS"], DATA["SEMRUSH_ROWS"][0][:5])
    assert link.anchor == "Example Garden"
    assert link.is_nofollow is None
    assert link.tool_metrics == {"page_ascore": 31.0}


def test_hostile_text_is_kept_but_controls_stripped_and_capped() -> None:
    headers = ["Source URL", "Target URL", "Anchor Text", "FlagNoFollow"]
    anchor = "<img src=x onerror=alert(1)>\x00\x1b[2J=cmd|' /C calc'!A0" + "y" * 2_000_000
    link = sighting(headers, ["https://a.example/", f"{A}/", anchor, ""])
    assert link.anchor.startswith("<img src=x onerror=alert(1)>[2J=cmd|' /C calc'!A0y")
    assert len(link.anchor) == MAX_FIELD_CHARS


def test_huge_url_is_a_bad_row() -> None:
    headers = ["Source URL", "Target URL", "Anchor Text", "FlagNoFollow"]
    with pytest.raises(BadRow, match="source URL 'https://a.example/aaa") as caught:
        sighting(headers, ["https://a.example/" + "a" * 50_000, f"{A}/", "", ""])
    assert len(str(caught.value)) < 200
