"""The ground truth of a sample web: what every domain is, every URL answers, every link is.

Built by composing every page from the spec (``samples.web.pages``), so it
states exactly what the pages say.
"""

from __future__ import annotations

import json
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

__all__ = [
    "build_manifest",
    "expected_status",
    "iter_links",
    "link_entry",
    "manifest_chunks",
    "manifest_head",
    "url_statuses",
]

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


class _Tiers:
    """Collects tier-1 and tier-2 pages from the links as they go by."""

    def __init__(self, spec: WebSpec) -> None:
        self._target = spec.target
        self._site_of = {site.host: site for site in spec.sites}
        self.tier1: set[str] = set()
        self._pairs: list[tuple[str, str]] = []

    def see(self, source: str, link: LinkSpec) -> None:
        source_site = self._site_of[urlsplit(source).hostname or ""]
        target_site = self._site_of.get(urlsplit(link.target).hostname or "")
        if source_site is self._target or target_site is None or target_site is source_site:
            return
        if target_site is self._target:
            self.tier1.add(source)
        else:
            self._pairs.append((source, link.target))

    @property
    def tier2(self) -> set[str]:
        return {source for source, linked in self._pairs if linked in self.tier1}


def manifest_head(spec: WebSpec) -> dict[str, Any]:
    """Return the manifest without ``links``, ``tier1`` and ``tier2``."""
    target = spec.target
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
        "guest_posts": [spec.url_of(spec.sites[s], slot) for s, slot in spec.guest_posts],
    }


def build_manifest(spec: WebSpec) -> dict[str, Any]:
    """Return the ground-truth manifest of the web, as plain JSON-serialisable values.

    Keys: ``seed``, ``theme``, ``target`` (host, domain, brand, keywords),
    ``domains`` (per registrable domain: role, kind, template, analytics id,
    spam and network flags), ``networks``, ``urls`` (see ``url_statuses``),
    ``guest_posts``, ``links`` (see ``link_entry``), ``tier1`` (pages on other
    domains linking to the target's domain) and ``tier2`` (pages linking to a
    tier-1 page from a third domain). A 100,000-page web has about two million
    links: ``manifest_chunks`` writes them without holding them.
    """
    tiers = _Tiers(spec)
    links: list[dict[str, Any]] = []
    for source, link in iter_links(spec):
        links.append(link_entry(source, link))
        tiers.see(source, link)
    manifest = manifest_head(spec)
    manifest.update(links=links, tier1=sorted(tiers.tier1), tier2=sorted(tiers.tier2))
    return manifest


def manifest_chunks(spec: WebSpec) -> Iterator[str]:
    """Yield the JSON text of ``build_manifest``, one link per line, holding no link list."""
    head = json.dumps(manifest_head(spec), indent=1)
    yield head[: head.rindex("}")].rstrip() + ',\n "links": ['
    tiers = _Tiers(spec)
    separator = "\n  "
    for source, link in iter_links(spec):
        yield separator + json.dumps(link_entry(source, link))
        separator = ",\n  "
        tiers.see(source, link)
    yield '\n ],\n "tier1": ' + json.dumps(sorted(tiers.tier1))
    yield ',\n "tier2": ' + json.dumps(sorted(tiers.tier2)) + "\n}\n"
