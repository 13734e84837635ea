"""A sample web with links added to some pages: what a campaign's verification finds.

``WithExtraLinks`` wraps a ``SampleWeb`` and serves its pages unchanged
except those given extra links: each gets a paragraph with the link at the
end of its main content (before ``</article>``, else ``</main>``, else
``</body>``), where the placement parser reads it as content. Pages in
``gone`` answer 404. Both can change while the web is served (a link going
live, then being removed, or its page deleted). Pure but for those mutable
tables; serve it with ``serve_web``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

from linkequity.samples.web.render import HTML_TYPE, Response

if TYPE_CHECKING:
    from linkequity.samples.web.generate import SampleWeb

__all__ = ["ExtraLink", "WithExtraLinks"]

_ENDS = (b"</article>", b"</main>", b"</body>")
_GONE = b"<!DOCTYPE html><html><head><title>Not found</title></head><body>Gone.</body></html>"


@dataclass(frozen=True, slots=True)
class ExtraLink:
    """A link to add to a page: where it points, its anchor and its rel."""

    target: str
    anchor: str
    rel: str = ""

    def html(self) -> bytes:
        """Return the paragraph that carries the link, escaped."""
        rel = f' rel="{escape(self.rel)}"' if self.rel else ""
        return (
            f'<p>Also worth a read: <a href="{escape(self.target)}"{rel}>'
            f"{escape(self.anchor)}</a>.</p>"
        ).encode()


@dataclass
class WithExtraLinks:
    """A sample web whose pages in ``links`` carry extra links (served by ``serve_web``).

    Attributes
    ----------
    web : SampleWeb
        The web served.
    links : dict of str to list of ExtraLink
        The extra links of each page, by its URL as the web serves it.
    gone : set of str
        Pages that answer 404 Not Found.
    """

    web: SampleWeb
    links: dict[str, list[ExtraLink]] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)

    def add(self, page: str, link: ExtraLink) -> None:
        """Add *link* to *page*."""
        self.links.setdefault(page, []).append(link)

    def remove(self, page: str) -> None:
        """Take every extra link off *page*."""
        self.links.pop(page, None)

    def respond(self, url: str) -> Response:
        """Return the web's response to ``GET url``, with the page's extra links added."""
        if url in self.gone:
            return Response(404, "Not Found", (("Content-Type", HTML_TYPE),), _GONE)
        response = self.web.respond(url)
        extra = self.links.get(url)
        if not extra or response.status != 200:  # noqa: PLR2004
            return response
        body = response.body
        paragraphs = b"".join(link.html() for link in extra)
        end = next((tag for tag in _ENDS if tag in body), None)
        body = body + paragraphs if end is None else body.replace(end, paragraphs + end, 1)
        return Response(response.status, response.reason, response.headers, body)
