"""HTML, robots.txt, sitemaps and HTTP responses of a sample web; pure.

A site's *skin* is its HTML template: the same regions (header, navigation,
article, comments, sidebar, footer) written with the markup one family of
real sites uses: HTML5 landmarks (``classic``, ``pbn``), class names only
(``magazine``), ARIA roles (``aria``), a shop (``shop``) and a bare list of
links (``listing``). The sites of the private blog network share one skin, so
their pages share a template hash, as network sites built from one theme do.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from linkequity.samples.web.pages import LinkSpec, compose_page
from linkequity.samples.web.spec import PageKind

if TYPE_CHECKING:
    from linkequity.samples.web.pages import PageDoc, Segment
    from linkequity.samples.web.spec import Site, WebSpec

__all__ = [
    "SITEMAP_MAX_URLS",
    "Response",
    "render_page",
    "respond",
    "robots_txt",
    "sitemap_urls",
]

#: URLs in one sitemap file; a site with more serves a sitemap index.
SITEMAP_MAX_URLS = 5000
HTML_TYPE = "text/html; charset=utf-8"
_NOT_FOUND_HTML = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Not found</title>'
    "</head><body><h1>Not found</h1><p>The page you asked for is not here.</p></body></html>\n"
)


@dataclass(frozen=True, slots=True)
class Response:
    """One HTTP response: status, reason, headers (without Content-Length) and body."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def content_type(self) -> str | None:
        """The ``Content-Type`` header, if any."""
        return next((value for name, value in self.headers if name == "Content-Type"), None)


@dataclass(frozen=True, slots=True)
class _Skin:
    header: tuple[str, str]
    nav: tuple[str, str]
    main: tuple[str, str]
    comments: tuple[str, str]
    sidebar: tuple[str, str]
    footer: tuple[str, str]
    generator: str


def _wrap(tag: str, attrs: str) -> tuple[str, str]:
    return (f"<{tag}{' ' + attrs if attrs else ''}>", f"</{tag}>")


_SKINS = {
    "classic": _Skin(
        _wrap("header", 'class="site-header"'),
        _wrap("nav", 'class="main-nav"'),
        _wrap("main", 'id="main" class="site-main"'),
        _wrap("section", 'id="comments" class="comments-area"'),
        _wrap("aside", 'class="sidebar"'),
        _wrap("footer", 'class="site-footer"'),
        "WordPress 6.4",
    ),
    "magazine": _Skin(
        _wrap("div", 'id="masthead"'),
        _wrap("div", 'class="menu"'),
        _wrap("main", 'class="layout"'),
        _wrap("div", 'class="discussion"'),
        _wrap("div", 'class="rail"'),
        _wrap("div", 'id="colophon"'),
        "Ghost 5.0",
    ),
    "aria": _Skin(
        _wrap("div", 'role="banner"'),
        _wrap("div", 'role="navigation"'),
        _wrap("main", ""),
        _wrap("div", 'id="respond" class="replies"'),
        _wrap("div", 'role="complementary"'),
        _wrap("div", 'role="contentinfo"'),
        "Drupal 10",
    ),
    "pbn": _Skin(
        _wrap("header", ""),
        _wrap("nav", ""),
        _wrap("main", ""),
        _wrap("div", 'class="comments"'),
        _wrap("aside", ""),
        _wrap("footer", ""),
        "WordPress 5.2",
    ),
    "shop": _Skin(
        _wrap("header", 'class="masthead"'),
        _wrap("nav", 'class="mainnav"'),
        _wrap("main", 'class="content"'),
        _wrap("div", 'class="comments"'),
        _wrap("aside", 'class="widgets"'),
        _wrap("footer", ""),
        "Shopify",
    ),
    "listing": _Skin(
        _wrap("div", 'class="topbar"'),
        _wrap("div", 'class="navbar"'),
        _wrap("main", ""),
        _wrap("div", 'class="comments"'),
        _wrap("div", 'class="sidebar"'),
        _wrap("div", 'class="footer"'),
        "phpLD 3.3",
    ),
}


def _link(link: LinkSpec) -> str:
    rel = f' rel="{link.rel}"' if link.rel else ""
    return f'<a href="{escape(link.target)}"{rel}>{escape(link.anchor)}</a>'


def _segments(parts: tuple[Segment, ...]) -> str:
    return "".join(_link(part) if isinstance(part, LinkSpec) else escape(part) for part in parts)


def _analytics(site: Site) -> str:
    if site.analytics_id is None:
        return ""
    ident = site.analytics_id
    if ident.startswith("UA-"):
        return (
            "<script>(function(i,s,o,g,r){i['GoogleAnalyticsObject']=r;})"
            "(window,document,'script','//www.google-analytics.com/analytics.js','ga');"
            f"ga('create', '{ident}', 'auto');ga('send', 'pageview');</script>\n"
        )
    return (
        f'<script async src="https://www.googletagmanager.com/gtag/js?id={ident}"></script>\n'
        "<script>window.dataLayer = window.dataLayer || [];"
        "function gtag(){dataLayer.push(arguments);}"
        f"gtag('js', new Date());gtag('config', '{ident}');</script>\n"
    )


def render_page(page: PageDoc) -> str:
    """Return the HTML of a composed page, in the skin of its site."""
    site = page.site
    skin = _SKINS[site.skin]
    out = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        f"<title>{escape(page.title)}</title>\n",
        f'<meta name="description" content="{escape(page.description)}">\n',
        f'<meta name="generator" content="{skin.generator}">\n',
        '<meta name="robots" content="noindex">\n' if page.is_noindex else "",
        f'<link rel="canonical" href="{escape(page.url)}">\n',
        _analytics(site),
        "</head>\n<body>\n",
        skin.header[0],
        f'<p class="logo">{_link(page.logo)}</p>',
        skin.header[1],
        "\n",
        skin.nav[0],
        "<ul>",
        *(f"<li>{_link(link)}</li>" for link in page.nav),
        "</ul>",
        skin.nav[1],
        "\n",
        skin.main[0],
        "\n<article>\n",
        f"<h1>{escape(page.heading)}</h1>\n",
        f'<p class="byline">{escape(page.byline)}</p>\n' if page.byline else "",
        *(f"<p>{_segments(block)}</p>\n" for block in page.body),
        "</article>\n",
    ]
    if page.listing:
        out.append('<ul class="entries">\n')
        out += [f"<li>{_link(item.link)} – {escape(item.blurb)}</li>\n" for item in page.listing]
        out.append("</ul>\n")
    if page.comments:
        out += [skin.comments[0], f"\n<h2>{len(page.comments)} comments</h2>\n<ol>\n"]
        for comment in page.comments:
            author = _link(comment.author_link) if comment.author_link else escape(comment.author)
            out.append(f"<li><p><b>{author}</b> says:</p><p>{_segments(comment.body)}</p></li>\n")
        out += ["</ol>\n", skin.comments[1], "\n"]
    out += [skin.main[1], "\n"]
    if page.sidebar:
        out.append(skin.sidebar[0])
        for box in page.sidebar:
            out.append(f"<h3>{escape(box.heading)}</h3><ul>")
            out += [f"<li>{_link(link)}</li>" for link in box.links]
            out.append("</ul>")
        out += [skin.sidebar[1], "\n"]
    out += [skin.footer[0], f"<p>{escape(page.footer_note)}</p><p>"]
    out.append(" · ".join(_link(link) for link in page.footer))
    out += ["</p>", skin.footer[1], "\n</body>\n</html>\n"]
    return "".join(out)


def robots_txt(site: Site) -> str:
    """Return the site's robots.txt: its ``Disallow`` rules and, on most sites, a sitemap."""
    lines = ["User-agent: *"]
    lines += [f"Disallow: {prefix}" for prefix in site.disallowed_prefixes] or ["Disallow:"]
    if site.has_sitemap_line:
        lines += ["", f"Sitemap: {site.url('/sitemap.xml')}"]
    return "\n".join(lines) + "\n"


def sitemap_urls(spec: WebSpec, site: Site) -> list[str]:
    """Return the URLs a site lists in its sitemaps: its indexable, allowed pages."""
    listed = (PageKind.PRIVATE, PageKind.TAG)
    return [
        spec.url_of(site, slot)
        for slot in range(site.pages)
        if spec.kind_of(site, slot) not in listed
    ]


def sitemap_paths(site: Site, count: int) -> list[str]:
    """Return the paths of the sitemap files of a site listing *count* URLs."""
    if count <= SITEMAP_MAX_URLS:
        return ["/sitemap.xml"]
    parts = -(-count // SITEMAP_MAX_URLS)
    return ["/sitemap.xml", *(f"/sitemap-{part}.xml" for part in range(1, parts + 1))]


def _urlset(urls: list[str]) -> str:
    entries = "".join(f"<url><loc>{escape(url)}</loc></url>\n" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</urlset>\n"
    )


def _sitemap(spec: WebSpec, site: Site, path: str) -> str | None:
    urls = sitemap_urls(spec, site)
    paths = sitemap_paths(site, len(urls))
    if path not in paths:
        return None
    if len(paths) == 1:
        return _urlset(urls)
    if path == "/sitemap.xml":
        entries = "".join(
            f"<sitemap><loc>{escape(site.url(part))}</loc></sitemap>\n" for part in paths[1:]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</sitemapindex>\n"
        )
    part = paths.index(path) - 1
    return _urlset(urls[part * SITEMAP_MAX_URLS : (part + 1) * SITEMAP_MAX_URLS])


def _text(status: int, reason: str, content_type: str, text: str) -> Response:
    return Response(status, reason, (("Content-Type", content_type),), text.encode("utf-8"))


def not_found() -> Response:
    """Return the 404 response every unknown path gets."""
    return _text(404, "Not Found", HTML_TYPE, _NOT_FOUND_HTML)


def respond(spec: WebSpec, url: str) -> Response:
    """Return the response the sample web gives to ``GET url``.

    The host picks the site (an unknown host gets a 404); the query string and
    fragment are ignored.
    """
    parts = urlsplit(url)
    site = spec.site_of_host((parts.hostname or "").lower())
    if site is None:
        return not_found()
    path = parts.path or "/"
    if path == "/robots.txt":
        return _text(200, "OK", "text/plain; charset=utf-8", robots_txt(site))
    if path.startswith("/sitemap"):
        sitemap = _sitemap(spec, site, path)
        if sitemap is not None:
            return _text(200, "OK", "application/xml", sitemap)
    for redirect in site.redirects:
        if redirect.path == path:
            reason = "Moved Permanently" if redirect.status == 301 else "Found"
            headers = (("Location", redirect.location), ("Content-Type", HTML_TYPE))
            body = f'<a href="{escape(redirect.location)}">Moved</a>\n'.encode()
            return Response(redirect.status, reason, headers, body)
    slot = spec.slot_of(site, path)
    if slot is None:
        return not_found()
    html = render_page(compose_page(spec, site, slot))
    return _text(200, "OK", HTML_TYPE, html)
