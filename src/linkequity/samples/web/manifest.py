"""The ground truth of a sample web: what every domain is, every URL answers, every link is.

Built by composing every page from the spec (``samples.web.pages``), so it
states exactly what the pages say.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from linkequity.model.links import Placement
from linkequity.model.urls import registrable_domain
from linkequity.samples.web.pages import compose_page
from linkequity.samples.web.render import sitemap_paths, sitemap_urls
from linkequity.samples.web.spec import PageKind, SiteRole

if TYPE_CHECKING:
    from collections.abc import Iterator

    from linkequity.samples.web.pages import LinkSpec
    from linkequity.samples.web.spec import Site, WebSpec

__all__ = ["build_manifest", "expected_status", "iter_links", "url_statuses"]

_SPAM_ROLES = frozenset({SiteRole.PBN, SiteRole.FARM, SiteRole.DIRECTORY, SiteRole.SPAM})


def expected_status(spec: WebSpec, site: Site, slot: int) -> str:
    """Return what a page slot is expected to be: ``"200"``, ``"noindex"`` or ``"disallowed"``."""
    kind = spec.kind_of(site, slot)
    if kind is PageKind.PRIVATE:
        return "disallowed"
    if kind is PageKind.TAG:
        return "noindex"
    return "200"


def url_statuses(spec: WebSpec) -> dict[str, dict[str, Any]]:
    """Return every URL of the web with its HTTP status and expected status.

    ``expected`` is one of ``"200"``, ``"301"``, ``"302"``, ``"404"``,
    ``"noindex"`` (served, ``<meta name=robots content=noindex>``) and
    ``"disallowed"`` (served, but robots.txt disallows it); redirects add their
    ``location``.
    """
    urls: dict[str, dict[str, Any]] = {}
    for site in spec.sites:
        urls[site.url("/robots.txt")] = {"status": 200, "expected": "200"}
        for path in sitemap_paths(site, len(sitemap_urls(spec, site))):
            urls[site.url(path)] = {"status": 200, "expected": "200"}
        for slot in range(site.pages):
            expected = expected_status(spec, site, slot)
            urls[spec.url_of(site, slot)] = {"status": 200, "expected": expected}
        for redirect in site.redirects:
            urls[site.url(redirect.path)] = {
                "status": redirect.status,
                "expected": str(redirect.status),
                "location": redirect.location,
            }
    for url in spec.dead_urls:
        urls[url] = {"status": 404, "expected": "404"}
    return urls


def iter_links(spec: WebSpec) -> Iterator[tuple[str, LinkSpec]]:
    """Yield ``(source url, link)`` for every link of every served page, site by site."""
    for site in spec.sites:
        for slot in range(site.pages):
            page = compose_page(spec, site, slot)
            for link in page.links():
                yield page.url, link


def link_entry(source: str, link: LinkSpec) -> dict[str, Any]:
    """Return the manifest's record of one link."""
    return {
        "source": source,
        "target": link.target,
        "anchor": link.anchor,
        "rel": sorted(link.rel.split()),
        "placement": str(link.placement),
        "in_content": link.placement is Placement.CONTENT,
        "sitewide": link.is_sitewide,
        "kind": str(link.kind),
    }


def _domains(spec: WebSpec) -> dict[str, dict[str, Any]]:
    domains: dict[str, dict[str, Any]] = {}
    for site in spec.sites:
        domain = registrable_domain(site.host) or site.host
        domains[domain] = {
            "host": site.host,
            "name": site.name,
            "role": str(site.role),
            "kind": site.kind or None,
            "template": site.skin,
            "analytics_id": site.analytics_id,
            "is_spam": site.role in _SPAM_ROLES,
            "is_network_member": site.role is SiteRole.PBN,
            "pages": site.pages,
            "disallowed": list(site.disallowed_prefixes),
        }
    return domains


def build_manifest(spec: WebSpec) -> dict[str, Any]:
    """Return the ground-truth manifest of the web, as plain JSON-serialisable values.

    Keys: ``seed``, ``theme``, ``target`` (host, domain, brand, keywords),
    ``domains`` (per registrable domain: role, kind, template, analytics id,
    spam and network flags), ``networks``, ``urls`` (see ``url_statuses``),
    ``links`` (see ``link_entry``), ``guest_posts``, ``tier1`` (pages on other
    domains linking to the target's domain) and ``tier2`` (pages linking to a
    tier-1 page from a third domain).
    """
    target = spec.target
    site_of = {site.host: site for site in spec.sites}
    links: list[dict[str, Any]] = []
    tier1: set[str] = set()
    pairs: list[tuple[str, str]] = []
    for source, link in iter_links(spec):
        links.append(link_entry(source, link))
        source_site = site_of[urlsplit(source).hostname or ""]
        target_site = site_of.get(urlsplit(link.target).hostname or "")
        if source_site is target or target_site is None or target_site is source_site:
            continue
        if target_site is target:
            tier1.add(source)
        else:
            pairs.append((source, link.target))
    tier2 = {source for source, linked in pairs if linked in tier1}
    pbn = spec.sites_with(SiteRole.PBN)
    return {
        "seed": spec.seed,
        "theme": spec.theme.name,
        "target": {
            "host": target.host,
            "domain": registrable_domain(target.host),
            "brand": target.name,
            "keywords": list(target.keywords),
        },
        "domains": _domains(spec),
        "networks": [
            {
                "domains": [registrable_domain(site.host) for site in pbn],
                "template": pbn[0].skin,
                "analytics_id": spec.network_analytics_id,
            }
        ],
        "urls": url_statuses(spec),
        "links": links,
        "guest_posts": [spec.url_of(spec.sites[s], slot) for s, slot in spec.guest_posts],
        "tier1": sorted(tier1),
        "tier2": sorted(tier2),
    }
