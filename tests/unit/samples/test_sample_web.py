"""The generated sample web: deterministic, complete, and true to its manifest."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from linkequity.model.urls import normalize_url, registrable_domain
from linkequity.parsing.page import read_page
from linkequity.samples.web import MIN_SITES, PageKind, SiteRole, generate_web
from linkequity.samples.web.pages import FARM_LINKS
from linkequity.samples.web.render import SITEMAP_MAX_URLS

if TYPE_CHECKING:
    from linkequity.samples.web import SampleWeb


@pytest.fixture(scope="module")
def web() -> SampleWeb:
    return generate_web(1)


@pytest.fixture(scope="module")
def manifest(web: SampleWeb) -> dict[str, Any]:
    return web.manifest()


def links_of(manifest: dict[str, Any], **wanted: object) -> list[dict[str, Any]]:
    return [
        link
        for link in manifest["links"]
        if all(link[key] == value for key, value in wanted.items())
    ]


def html_of(web: SampleWeb, url: str) -> str:
    response = web.respond(url)
    assert response.status == 200, url
    return response.body.decode()


def test_one_seed_gives_byte_identical_responses_and_manifests() -> None:
    first, second = generate_web(5), generate_web(5)

    urls = list(first.urls())
    assert urls == list(second.urls())
    assert all(first.respond(url) == second.respond(url) for url in urls)
    assert json.dumps(first.manifest()) == json.dumps(second.manifest())


def test_the_streamed_manifest_is_the_manifest(web: SampleWeb, manifest: dict[str, Any]) -> None:
    text = "".join(web.manifest_json())

    assert json.loads(text) == manifest
    assert text.count("\n") > len(manifest["links"])


def test_different_seeds_give_different_webs() -> None:
    first, second = generate_web(1), generate_web(2)

    assert first.hosts != second.hosts or list(first.urls()) != list(second.urls())
    home = first.target.base
    assert first.respond(home).body != second.respond(second.target.base).body


def test_every_url_is_normalised_and_every_link_target_is_a_url_of_the_web(
    manifest: dict[str, Any],
) -> None:
    urls = manifest["urls"]
    assert all(normalize_url(url) == url for url in urls)
    assert {link["target"] for link in manifest["links"]} <= set(urls)
    assert {link["source"] for link in manifest["links"]} <= set(urls)


def test_default_web_has_twenty_sites_of_every_role(
    web: SampleWeb, manifest: dict[str, Any]
) -> None:
    roles = Counter(domain["role"] for domain in manifest["domains"].values())

    assert len(web.sites) == 20
    assert web.page_count == 400
    assert set(roles) == {str(role) for role in SiteRole}
    assert roles["target"] == 1
    assert roles["pbn"] >= 4
    assert manifest["target"]["domain"] == registrable_domain(web.target.host)
    kinds = {d["kind"] for d in manifest["domains"].values() if d["role"] == "editorial"}
    assert kinds == {"news", "blog", "niche"}


def test_guest_posts_link_to_the_target_in_content_with_varied_anchors(
    web: SampleWeb, manifest: dict[str, Any]
) -> None:
    guest_links = links_of(manifest, kind="guest_post")
    target = web.target.host

    assert len(manifest["guest_posts"]) >= 9
    assert {link["source"] for link in guest_links} == set(manifest["guest_posts"])
    assert all(link["placement"] == "content" and link["in_content"] for link in guest_links)
    assert all(f"//{target}/" in link["target"] for link in guest_links)
    anchors = {link["anchor"] for link in guest_links}
    assert web.target.name in anchors or web.target.base in anchors
    assert len(anchors) >= 5
    post = manifest["guest_posts"][0]
    assert "Guest post by" in html_of(web, post)
    assert set(manifest["guest_posts"]) <= set(manifest["tier1"])


def test_tier_two_pages_link_to_tier_one_pages_from_other_domains(
    manifest: dict[str, Any],
) -> None:
    tier1 = set(manifest["tier1"])
    tier2_links = links_of(manifest, kind="tier2")

    assert tier2_links
    assert {link["target"] for link in tier2_links} <= tier1
    assert {link["source"] for link in tier2_links} <= set(manifest["tier2"])


def test_the_private_network_shares_a_template_and_an_analytics_id_and_interlinks(
    web: SampleWeb, manifest: dict[str, Any]
) -> None:
    (network,) = manifest["networks"]
    members = [manifest["domains"][domain] for domain in network["domains"]]
    analytics = network["analytics_id"]
    pages = []
    for member in members:
        html = html_of(web, f"http://{member['host']}/")
        signals, _ = read_page(html.encode(), f"http://{member['host']}/", [], 200)
        pages.append(signals)

    assert len(members) >= 4
    assert re.fullmatch(r"UA-\d{8}-1", analytics)
    assert all(member["is_network_member"] and member["is_spam"] for member in members)
    assert {signal.footprints.analytics_ids for signal in pages} == {(analytics,)}
    assert len({signal.template_hash for signal in pages}) == 1
    others = [d["analytics_id"] for d in manifest["domains"].values() if d["role"] != "pbn"]
    assert analytics not in others
    blogroll = links_of(manifest, kind="blogroll")
    member_hosts = {member["host"] for member in members}
    assert {link["target"].split("/")[2] for link in blogroll} == member_hosts
    assert all(link["sitewide"] and link["placement"] == "sidebar" for link in blogroll)


def test_farms_and_directories_have_hundreds_of_outbound_links(
    web: SampleWeb, manifest: dict[str, Any]
) -> None:
    per_page = Counter(link["source"] for link in manifest["links"] if link["kind"] == "farm")
    directory = Counter(link["source"] for link in links_of(manifest, kind="directory"))

    assert per_page
    assert min(per_page.values()) >= FARM_LINKS[0] * 0.9
    assert max(directory.values()) >= 100
    page = next(iter(per_page))
    assert html_of(web, page).count("<a href=") >= FARM_LINKS[0] * 0.9


def test_comment_spam_sits_in_comments_with_ugc_or_nofollow(
    web: SampleWeb, manifest: dict[str, Any]
) -> None:
    spam = links_of(manifest, kind="comment_spam")
    spam_hosts = {d["host"] for d in manifest["domains"].values() if d["role"] == "spam"}

    assert len(spam) >= 10
    assert all(link["placement"] == "comment" for link in spam)
    assert all({"ugc", "nofollow"} & set(link["rel"]) for link in spam)
    assert {tuple(link["rel"]) for link in spam} >= {("nofollow", "ugc"), ("nofollow",)}
    assert {link["target"].split("/")[2] for link in spam} <= spam_hosts
    sample = spam[0]
    html = html_of(web, sample["source"])
    assert f'href="{sample["target"]}" rel="{" ".join(sample["rel"])}"' in html.replace(
        'rel="ugc nofollow"', 'rel="nofollow ugc"'
    )


def test_sponsored_and_sitewide_footer_links(web: SampleWeb, manifest: dict[str, Any]) -> None:
    sponsored = [link for link in manifest["links"] if "sponsored" in link["rel"]]
    footer = links_of(manifest, kind="footer")
    target_footer = [link for link in footer if link["target"] == web.target.base]

    assert {link["placement"] for link in sponsored} == {"content", "footer"}
    assert all(link["sitewide"] and link["placement"] == "footer" for link in footer)
    sources = {link["source"].split("/")[2] for link in target_footer}
    assert len(sources) >= 2
    for host in sources:
        served = ("200", "noindex", "disallowed")
        pages = {
            url
            for url, entry in manifest["urls"].items()
            if f"//{host}/" in url and entry["expected"] in served
        }
        on_host = {link["source"] for link in target_footer if f"//{host}/" in link["source"]}
        assert on_host == {url for url in pages if not url.endswith((".txt", ".xml"))}


def test_broken_links_point_at_urls_that_answer_404(
    web: SampleWeb, manifest: dict[str, Any]
) -> None:
    broken = links_of(manifest, kind="broken")

    assert len(broken) >= 5
    for link in broken:
        assert manifest["urls"][link["target"]]["expected"] == "404"
        assert web.respond(link["target"]).status == 404


def test_disallowed_and_noindex_pages_are_in_the_manifest_the_html_and_robots_txt(
    web: SampleWeb, manifest: dict[str, Any]
) -> None:
    expected = Counter(entry["expected"] for entry in manifest["urls"].values())
    noindex = next(u for u, s in manifest["urls"].items() if s["expected"] == "noindex")
    disallowed = next(u for u, s in manifest["urls"].items() if s["expected"] == "disallowed")
    host = disallowed.split("/")[2]
    robots = web.respond(f"http://{host}/robots.txt")

    assert expected["noindex"] >= 5
    assert expected["disallowed"] >= 3
    assert '<meta name="robots" content="noindex">' in html_of(web, noindex)
    assert "noindex" not in html_of(web, web.target.base)
    assert "Disallow: /private/\n" in robots.body.decode()
    assert f"Sitemap: http://{host}/sitemap.xml" in robots.body.decode()
    assert disallowed.startswith(f"http://{host}/private/")
    sitemap = web.respond(f"http://{host}/sitemap.xml").body.decode()
    assert disallowed not in sitemap
    assert noindex not in sitemap


def test_redirects_answer_with_their_status_and_location_including_a_chain(
    web: SampleWeb, manifest: dict[str, Any]
) -> None:
    redirects = {u: s for u, s in manifest["urls"].items() if s["expected"] in ("301", "302")}
    chained = [u for u, s in redirects.items() if s["location"] in redirects]

    assert {s["status"] for s in redirects.values()} == {301, 302}
    assert chained
    for url, entry in redirects.items():
        response = web.respond(url)
        assert response.status == entry["status"]
        assert dict(response.headers)["Location"] == entry["location"]
    linked = {link["target"] for link in manifest["links"]}
    assert set(redirects) & linked


def test_competitors_have_their_own_backlinks(manifest: dict[str, Any]) -> None:
    competitors = {d["host"] for d in manifest["domains"].values() if d["role"] == "competitor"}
    backlinks = [
        link
        for link in manifest["links"]
        if link["target"].split("/")[2] in competitors
        and link["source"].split("/")[2] not in competitors
    ]

    assert {link["target"].split("/")[2] for link in links_of(manifest, kind="competitor")} == (
        competitors
    )
    assert len(backlinks) >= 10


def test_every_site_serves_robots_txt_and_a_sitemap(web: SampleWeb) -> None:
    for site in web.sites:
        robots = web.respond(site.url("/robots.txt"))
        sitemap = web.respond(site.url("/sitemap.xml"))
        assert robots.status == sitemap.status == 200
        assert robots.content_type == "text/plain; charset=utf-8"
        assert sitemap.content_type == "application/xml"
        assert sitemap.body.count(b"<loc>") >= 4
    assert any(b"Sitemap:" not in web.respond(s.url("/robots.txt")).body for s in web.sites)


def test_unknown_paths_and_hosts_answer_404(web: SampleWeb) -> None:
    assert web.respond(web.target.url("/no-such-page/")).status == 404
    assert web.respond(web.target.url("/guides/made-up-9999/")).status == 404
    assert web.respond("http://nowhere.example/").status == 404


def test_links_of_a_page_are_distinct_and_in_document_order(web: SampleWeb) -> None:
    for source, _ in zip(web.urls(), range(60), strict=False):
        page = web.page(source)
        if page is None:
            continue
        keys = [(link.target, link.anchor.casefold()) for link in page.links()]
        assert len(keys) == len(set(keys))
        html = html_of(web, source)
        hrefs = re.findall(r'<a href="([^"]+)"', html)
        assert hrefs == [link.target for link in page.links()]


def test_a_hundred_thousand_page_web_is_specified_and_pages_render_on_request() -> None:
    web = generate_web(3, pages=100_000)
    biggest = max(web.sites, key=lambda site: site.pages)
    sampled = [
        web.spec.url_of(site, slot)
        for site in web.sites
        for slot in (0, site.pages // 2, site.pages - 1)
    ]

    assert web.page_count == 100_000
    assert sum(site.pages for site in web.sites) == 100_000
    assert biggest.pages > SITEMAP_MAX_URLS
    for url in sampled:
        response = web.respond(url)
        assert response.status == 200
        assert len(response.body) > 1000
    index = web.respond(biggest.url("/sitemap.xml")).body.decode()
    assert "<sitemapindex" in index
    part = web.respond(biggest.url("/sitemap-1.xml")).body
    assert part.count(b"<loc>") == SITEMAP_MAX_URLS
    assert len(web.spec.planned) < 5_000


@pytest.mark.parametrize(("sites", "pages"), [(MIN_SITES - 1, None), (20, 100)])
def test_too_small_a_web_is_refused(sites: int, pages: int | None) -> None:
    with pytest.raises(ValueError, match="at least"):
        generate_web(1, sites=sites, pages=pages)


def test_more_sites_scale_every_role() -> None:
    web = generate_web(4, sites=60)
    roles = Counter(site.role for site in web.sites)

    assert len(web.sites) == 60
    assert roles[SiteRole.PBN] == 7
    assert roles[SiteRole.EDITORIAL] > 30
    assert len({site.host for site in web.sites}) == 60
    assert any(
        web.spec.kind_of(site, slot) is PageKind.TAG
        for site in web.sites
        for slot in range(site.pages)
    )
