"""A generated sample web: the spec, and its pages, responses and manifest on request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from linkequity.samples.web.manifest import (
    build_manifest,
    expected_status,
    iter_links,
    manifest_chunks,
)
from linkequity.samples.web.pages import compose_page
from linkequity.samples.web.render import respond, sitemap_paths, sitemap_urls
from linkequity.samples.web.spec import generate_spec

if TYPE_CHECKING:
    from collections.abc import Iterator

    from linkequity.samples.web.pages import LinkSpec, PageDoc
    from linkequity.samples.web.render import Response
    from linkequity.samples.web.spec import Site, WebSpec

__all__ = ["DEFAULT_PAGES_PER_SITE", "SampleWeb", "generate_web"]

#: Pages per site when ``generate_web`` is not told a number of pages.
DEFAULT_PAGES_PER_SITE = 20


@dataclass(frozen=True, slots=True)
class SampleWeb:
    """A generated multi-site web. Pages are rendered when asked for, never stored.

    Attributes
    ----------
    spec : WebSpec
        Everything that decides the web (``samples.web.spec``).
    """

    spec: WebSpec

    @property
    def seed(self) -> int:
        """The seed the web was generated from."""
        return self.spec.seed

    @property
    def sites(self) -> tuple[Site, ...]:
        """Every site, the money site first."""
        return self.spec.sites

    @property
    def target(self) -> Site:
        """The money site."""
        return self.spec.target

    @property
    def page_count(self) -> int:
        """Pages served with status 200 across all sites."""
        return self.spec.page_count

    @property
    def hosts(self) -> list[str]:
        """The host names of every site, in site order."""
        return [site.host for site in self.spec.sites]

    def respond(self, url: str) -> Response:
        """Return the response to ``GET url`` (status, headers, body)."""
        return respond(self.spec, url)

    def page(self, url: str) -> PageDoc | None:
        """Return the composed page at *url*, or ``None`` if no page is served there."""
        parts = urlsplit(url)
        site = self.spec.site_of_host((parts.hostname or "").lower())
        if site is None:
            return None
        slot = self.spec.slot_of(site, parts.path or "/")
        return None if slot is None else compose_page(self.spec, site, slot)

    def urls(self, *, include_disallowed: bool = True) -> Iterator[str]:
        """Yield every URL the web answers or links to, site by site.

        Per site: robots.txt, the sitemap files, every page (without the
        robots-disallowed ones unless *include_disallowed*), then the redirects;
        after all sites, the dead URLs that answer 404.
        """
        spec = self.spec
        for site in spec.sites:
            yield site.url("/robots.txt")
            for path in sitemap_paths(site, len(sitemap_urls(spec, site))):
                yield site.url(path)
            for slot in range(site.pages):
                if include_disallowed or expected_status(spec, site, slot) != "disallowed":
                    yield spec.url_of(site, slot)
            for redirect in site.redirects:
                yield site.url(redirect.path)
        yield from spec.dead_urls

    def links(self) -> Iterator[tuple[str, LinkSpec]]:
        """Yield ``(source url, link)`` for every link of every page."""
        return iter_links(self.spec)

    def manifest(self) -> dict[str, Any]:
        """Return the ground-truth manifest (``samples.web.manifest.build_manifest``)."""
        return build_manifest(self.spec)

    def manifest_json(self) -> Iterator[str]:
        """Yield the manifest as JSON text in pieces, links one per line, none held."""
        return manifest_chunks(self.spec)


def generate_web(seed: int, *, sites: int = 20, pages: int | None = None) -> SampleWeb:
    """Generate a sample web: a money site, its competitors, the press, a network, spam.

    Parameters
    ----------
    seed : int
        Everything is drawn from generators seeded by it (never global state,
        never the clock): the same seed gives byte-identical pages.
    sites : int
        Number of sites, at least ``MIN_SITES`` (14).
    pages : int, optional
        Pages across all sites; ``DEFAULT_PAGES_PER_SITE`` per site by default.
        Generating is quick at any size: pages are composed when asked for.

    Raises
    ------
    ValueError
        If *sites* or *pages* is too small for every role to have its pages.
    """
    total = DEFAULT_PAGES_PER_SITE * sites if pages is None else pages
    return SampleWeb(generate_spec(seed, sites=sites, pages=total))
