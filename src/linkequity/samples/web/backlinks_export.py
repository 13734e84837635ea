"""An Ahrefs backlinks export of the sample web's money site, as a user would download it.

The demo imports it next to its crawl of the same web, so that the project
holds what a real one does: links read from the pages, and links a tool
reported, many of them the same links. The export is drawn from the pages
themselves (``SampleWeb.links``): most of the live backlinks of the money
site from other domains (a tool never sees them all), and a few links the
tool saw die, each with its dates and the tool's lost status: pages of the
web that answer 404 (``page gone``) and live pages that no longer carry the
link (``removed``). Headers are the Ahrefs spellings ``linkequity import``
recognises (``parsing.export_formats``), written as Ahrefs writes them:
UTF-16LE with a byte-order mark, tab-separated.

Pure: the web and the present in, bytes out.
"""

from __future__ import annotations

import codecs
import csv
import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from linkequity.model.links import Placement
from linkequity.parsing.export_formats import known_formats
from linkequity.samples.web.spec import PageKind, SiteRole

if TYPE_CHECKING:
    from linkequity.samples.web.generate import SampleWeb

__all__ = ["AHREFS_FIELDS", "ExportedLink", "ahrefs_export", "exported_links"]

#: The export's columns, as canonical fields of ``ahrefs_backlinks``, in Ahrefs' order.
AHREFS_FIELDS = (
    "source_title",
    "source_url",
    "language",
    "source_status",
    "target_url",
    "anchor",
    "link_type",
    "is_content",
    "nofollow",
    "ugc",
    "sponsored",
    "lost_reason",
    "drop_reason",
    "first_seen",
    "last_seen",
    "lost_at",
)
#: Share of the money site's live backlinks the tool reports.
SEEN_SHARE = 0.8
#: Lost links of each kind: from pages now gone (404), and removed from live pages.
LOST_PER_KIND = 3
#: Lost links are lost within this many days before the present.
LOST_WITHIN_DAYS = 75

_DATE = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class ExportedLink:
    """One row of the export: a backlink as the tool reports it."""

    source_url: str
    source_title: str
    source_status: int
    target_url: str
    anchor: str
    rel: frozenset[str]
    is_content: bool
    first_seen: datetime
    last_seen: datetime
    lost_at: datetime | None = None
    lost_reason: str = ""
    drop_reason: str = ""


def exported_links(
    web: SampleWeb, *, now: datetime, seen_share: float = SEEN_SHARE
) -> list[ExportedLink]:
    """Return the rows of the money site's export: live backlinks the tool saw, then lost ones.

    Parameters
    ----------
    web : SampleWeb
        The sample web; its money site is the export's site.
    now : datetime
        The present (naive UTC): every date is before it, the lost ones
        within ``LOST_WITHIN_DAYS`` days.
    seen_share : float
        Share of the live backlinks reported.
    """
    rng = random.Random(web.seed)  # noqa: S311 - sample data, not security
    target_host = web.target.host
    live: list[ExportedLink] = []
    linking_pages: set[str] = set()
    targets: list[str] = []
    # The tool's crawler obeys robots.txt too: it never reads a disallowed page.
    readable = set(web.urls(include_disallowed=False))
    for source, link in web.links():
        source_host = urlsplit(source).hostname
        if urlsplit(link.target).hostname != target_host or source_host == target_host:
            continue
        if source not in readable:
            continue
        linking_pages.add(source)
        targets.append(link.target)
        if rng.random() >= seen_share:
            continue
        first_seen = now - timedelta(days=rng.randint(30, 540), seconds=rng.randrange(86_400))
        live.append(
            ExportedLink(
                source_url=source,
                source_title=_title(web, source),
                source_status=200,
                target_url=link.target,
                anchor=link.anchor,
                rel=frozenset(link.rel.split()),
                is_content=link.placement is Placement.CONTENT,
                first_seen=first_seen,
                last_seen=now - timedelta(days=rng.randint(1, 6), seconds=rng.randrange(86_400)),
            )
        )
    return live + _lost_links(web, rng, now, sorted(set(targets)), linking_pages)


def _lost_links(
    web: SampleWeb,
    rng: random.Random,
    now: datetime,
    targets: list[str],
    linking_pages: set[str],
) -> list[ExportedLink]:
    spec = web.spec
    target_host = web.target.host
    gone = [url for url in spec.dead_urls if urlsplit(url).hostname != target_host]
    articles = [
        spec.url_of(site, slot)
        for site in spec.sites_with(SiteRole.EDITORIAL)
        for slot in range(site.pages)
        if spec.kind_of(site, slot) is PageKind.ARTICLE
    ]
    removed_from = [url for url in articles if url not in linking_pages]
    chosen = [(url, "404", 404) for url in rng.sample(gone, min(LOST_PER_KIND, len(gone)))]
    chosen += [
        (url, "removed", 200)
        for url in rng.sample(removed_from, min(LOST_PER_KIND, len(removed_from)))
    ]
    lost: list[ExportedLink] = []
    for source, reason, status in chosen:
        lost_at = now - timedelta(
            days=rng.randint(5, LOST_WITHIN_DAYS), seconds=rng.randrange(86_400)
        )
        last_seen = lost_at - timedelta(days=rng.randint(2, 12))
        target = rng.choice(targets)
        lost.append(
            ExportedLink(
                source_url=source,
                source_title="" if status == 404 else _title(web, source),
                source_status=status,
                target_url=target,
                anchor=web.target.name,
                rel=frozenset(),
                is_content=True,
                first_seen=last_seen - timedelta(days=rng.randint(60, 400)),
                last_seen=last_seen,
                lost_at=lost_at,
                lost_reason=reason,
                drop_reason="Page not found (404)" if status == 404 else "Link removed from page",
            )
        )
    return lost


def _title(web: SampleWeb, url: str) -> str:
    page = web.page(url)
    return "" if page is None else page.title


def ahrefs_export(web: SampleWeb, *, now: datetime, seen_share: float = SEEN_SHARE) -> bytes:
    """Return the money site's Ahrefs backlinks export: UTF-16LE with a BOM, tab-separated.

    See :func:`exported_links` for the rows and the parameters.
    """
    fmt = next(fmt for fmt in known_formats() if fmt.name == "ahrefs_backlinks")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\r\n")
    writer.writerow([fmt.aliases[name][0] for name in AHREFS_FIELDS])
    for row in exported_links(web, now=now, seen_share=seen_share):
        cells = _cells(row)
        writer.writerow([cells[name] for name in AHREFS_FIELDS])
    return codecs.BOM_UTF16_LE + buffer.getvalue().encode("utf-16-le")


def _cells(row: ExportedLink) -> dict[str, str]:
    return {
        "source_title": row.source_title,
        "source_url": row.source_url,
        "language": "en",
        "source_status": str(row.source_status),
        "target_url": row.target_url,
        "anchor": row.anchor,
        "link_type": "text",
        "is_content": _flag(row.is_content),
        "nofollow": _flag("nofollow" in row.rel),
        "ugc": _flag("ugc" in row.rel),
        "sponsored": _flag("sponsored" in row.rel),
        "lost_reason": row.lost_reason,
        "drop_reason": row.drop_reason,
        "first_seen": row.first_seen.strftime(_DATE),
        "last_seen": row.last_seen.strftime(_DATE),
        "lost_at": row.lost_at.strftime(_DATE) if row.lost_at else "",
    }


def _flag(value: bool) -> str:
    return "true" if value else "false"
