"""The sample web: a seeded, generated multi-site web for the demo, the tests and the benchmarks.

``generate_web`` draws a compact spec (sites, page slots, the links decided for
the web as a whole) and composes each page only when asked, so a 100,000-page
web costs little until its pages are read. ``SampleWeb.manifest`` states the
ground truth; ``serve_web`` serves the web on 127.0.0.1; ``write_warc``
writes it as a WARC file that ``linkequity ingest`` reads.

Generation (``spec``, ``pages``, ``render``, ``manifest``) is pure; ``server``
and ``warc`` do the I/O.
"""

from linkequity.samples.web.generate import DEFAULT_PAGES_PER_SITE, SampleWeb, generate_web
from linkequity.samples.web.render import Response
from linkequity.samples.web.server import serve_web
from linkequity.samples.web.spec import MIN_SITES, LinkKind, PageKind, SiteRole
from linkequity.samples.web.warc import write_warc

__all__ = [
    "DEFAULT_PAGES_PER_SITE",
    "MIN_SITES",
    "LinkKind",
    "PageKind",
    "Response",
    "SampleWeb",
    "SiteRole",
    "generate_web",
    "serve_web",
    "write_warc",
]
