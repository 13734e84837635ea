"""Generate the sample backlink exports of the fictional https://www.example-garden.com/.

Run ``python -m linkequity.samples.exports.make_sample`` (or this file) to rewrite
the two exports beside it. The output is deterministic (seeded), so the files
in the wheel are exactly what this script writes; a test checks that.

- an Ahrefs backlinks export, UTF-16LE with a BOM and tabs, as Ahrefs writes it;
- a Majestic backlinks download, UTF-8 and commas, which sees many of the same
  links (same source, target and anchor) plus some Ahrefs missed.

Every referring site is on a reserved or clearly fictional domain (``.example``,
``.test``, ``example.org``/``example.net`` subdomains).
"""

from __future__ import annotations

import codecs
import csv
import io
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

SITE = "https://www.example-garden.com"
AHREFS_FILE = "example-garden-ahrefs-backlinks.csv"
MAJESTIC_FILE = "example-garden-majestic-backlinks.csv"
SEED = 20260215
N_AHREFS = 200

AHREFS_HEADERS = (
    "Referring page title", "Referring page URL", "Language", "Platform",
    "Referring page HTTP code", "Domain rating", "UR", "Domain traffic",
    "Referring domains", "Linked domains", "External links", "Page traffic", "Keywords",
    "Target URL", "Left context", "Anchor", "Right context", "Redirect Chain URLs",
    "Redirect Chain status codes", "Type", "Is spam", "Content", "Nofollow", "UGC",
    "Sponsored", "Rendered", "Raw", "Lost status", "Drop reason", "Discovered status",
    "First seen", "Last seen", "Lost", "Author", "Page type", "Page category",
    "Links in group",
)  # fmt: skip

MAJESTIC_HEADERS = (
    "Target URL", "Source URL", "Anchor Text", "Source Crawl Date", "Source First Found Date",
    "FlagNoFollow", "FlagImageLink", "FlagRedirect", "FlagFrame", "FlagOldCrawl",
    "FlagAltText", "FlagMention", "SourceCitationFlow", "SourceTrustFlow",
    "TargetCitationFlow", "TargetTrustFlow", "SourceTopicalTrustFlow_Topic_0",
    "SourceTopicalTrustFlow_Value_0", "RefDomainTopicalTrustFlow_Topic_0",
    "RefDomainTopicalTrustFlow_Value_0",
)  # fmt: skip

TARGETS = (
    ("/", 10), ("/raised-beds/", 6), ("/compost-bins/", 5), ("/tools/pruning-shears/", 4),
    ("/tools/trowels/", 2), ("/seeds/heirloom-tomatoes/", 4), ("/blog/no-dig-gardening/", 5),
    ("/blog/companion-planting-chart/", 6), ("/blog/winter-pruning-guide/", 3),
    ("/hostas/", 2), ("/sale/", 2), ("/about/", 1), ("/old-catalogue.html", 1),
)  # fmt: skip

EXACT = {
    "/raised-beds/": ("raised garden beds", "cedar raised beds", "raised bed kits"),
    "/compost-bins/": ("compost bins", "compost bin", "hot composting bins"),
    "/tools/pruning-shears/": ("pruning shears", "bypass pruners"),
    "/tools/trowels/": ("garden trowel", "trowels"),
    "/seeds/heirloom-tomatoes/": ("heirloom tomato seeds", "tomato seeds"),
    "/blog/no-dig-gardening/": ("no-dig gardening", "no dig method"),
    "/blog/companion-planting-chart/": ("companion planting chart", "companion planting"),
    "/blog/winter-pruning-guide/": ("winter pruning guide", "how to prune in winter"),
    "/hostas/": ("hostas", "shade perennials"),
    "/sale/": ("garden tools sale", "20% off raised beds"),
}
BRANDED = ("Example Garden", "Example Garden Co.", "example-garden", "the Example Garden team")
GENERIC = ("click here", "here", "this site", "read more", "website", "this guide", "source")
NAKED = ("https://www.example-garden.com/", "www.example-garden.com", "example-garden.com")

WORDS_A = (
    "green", "shady", "urban", "tiny", "wild", "slow", "organic", "rooftop", "balcony",
    "cottage", "prairie", "coastal", "backyard", "heritage", "northern", "sunny",
)  # fmt: skip
WORDS_B = (
    "thumb", "plot", "allotment", "seedling", "veg", "orchard", "meadow", "bloom", "soil",
    "compost", "pollinator", "herb", "harvest", "potting", "greenhouse", "trellis",
)  # fmt: skip
SUFFIXES = (".example", ".test", ".example.org", ".example.net")
KINDS = (
    ("blog", "article", "wordpress", 0.45),
    ("news", "article", "", 0.12),
    ("forum", "forum", "discourse", 0.12),
    ("directory", "listing", "", 0.10),
    ("deals", "article", "shopify", 0.06),
    ("wiki", "article", "mediawiki", 0.05),
    ("spam", "listing", "", 0.10),
)
TOPICS = (
    "Recreation/Home and Garden",
    "Recreation/Outdoors",
    "Science/Agriculture",
    "Home/Gardening",
    "News/Local",
    "Shopping/Home and Garden",
    "Computers/Internet",
)
START = datetime(2025, 1, 6, tzinfo=UTC)
END = datetime(2026, 2, 27, tzinfo=UTC)


@dataclass(frozen=True)
class Domain:
    """A fictional referring site and the figures the tools give it."""

    host: str
    kind: str
    page_type: str
    platform: str
    rating: int
    traffic: int
    language: str


@dataclass(frozen=True)
class Link:
    """One backlink of the sample, as both tools may report it."""

    domain: Domain
    source_url: str
    title: str
    target: str
    anchor: str
    is_image: bool
    is_nofollow: bool
    is_ugc: bool
    is_sponsored: bool
    first_seen: datetime
    last_seen: datetime
    lost_at: datetime | None
    url_rating: int


def _domains(rng: random.Random, count: int) -> list[Domain]:
    hosts: set[str] = set()
    domains: list[Domain] = []
    kinds = [kind for kind, *_ in KINDS]
    weights = [weight for *_, weight in KINDS]
    while len(domains) < count:
        host = f"{rng.choice(WORDS_A)}-{rng.choice(WORDS_B)}{rng.choice(SUFFIXES)}"
        kind = rng.choices(kinds, weights)[0]
        if kind in ("forum", "news", "wiki") and rng.random() < 0.6:
            host = f"{kind}.{host}"
        if host in hosts:
            continue
        hosts.add(host)
        _, page_type, platform, _ = KINDS[kinds.index(kind)]
        rating = rng.randint(1, 12) if kind == "spam" else rng.randint(8, 78)
        domains.append(
            Domain(
                host=host,
                kind=kind,
                page_type=page_type,
                platform=platform,
                rating=rating,
                traffic=0 if kind == "spam" else int(rng.lognormvariate(7, 2)),
                language=rng.choices(("en", "de", "fr", "es"), (0.8, 0.08, 0.07, 0.05))[0],
            )
        )
    return domains


def _anchor(rng: random.Random, target: str, domain: Domain) -> tuple[str, bool]:
    if domain.kind == "spam":
        choice = rng.choices(("exact", "generic", "naked"), (0.7, 0.2, 0.1))[0]
    else:
        choice = rng.choices(
            ("branded", "exact", "partial", "generic", "naked", "image"),
            (0.34, 0.16, 0.12, 0.14, 0.12, 0.12),
        )[0]
    exact = EXACT.get(target, ("garden supplies",))
    if choice == "image":
        return (rng.choice(("", "", "Example Garden logo", "raised bed photo")), True)
    anchors = {
        "branded": BRANDED,
        "exact": exact,
        "partial": tuple(f"the {a} we use" for a in exact) + tuple(f"best {a} 2026" for a in exact),
        "generic": GENERIC,
        "naked": NAKED,
    }
    return rng.choice(anchors[choice]), False


def _date(rng: random.Random, low: datetime, high: datetime) -> datetime:
    seconds = int((high - low).total_seconds())
    return low + timedelta(seconds=rng.randrange(max(seconds, 1)))


def build_links(rng: random.Random) -> list[Link]:
    """Return the sample's links: about 60 referring sites, some linking many times."""
    domains = _domains(rng, 64)
    paths = [path for path, _ in TARGETS]
    path_weights = [weight for _, weight in TARGETS]
    links: list[Link] = []
    while len(links) < N_AHREFS + 40:
        domain = rng.choice(domains)
        slug = "-".join(rng.sample(WORDS_A + WORDS_B, 3))
        section = {"forum": "t", "news": "2025", "directory": "garden"}.get(domain.kind, "posts")
        source_url = f"https://{domain.host}/{section}/{slug}"
        target = rng.choices(paths, path_weights)[0]
        anchor, is_image = _anchor(rng, target, domain)
        is_ugc = domain.kind == "forum" and rng.random() < 0.8
        is_sponsored = domain.kind == "deals" and rng.random() < 0.7
        is_nofollow = is_ugc or is_sponsored or rng.random() < 0.12
        first_seen = _date(rng, START, END - timedelta(days=20))
        last_seen = _date(rng, first_seen + timedelta(days=3), END)
        lost_at = None
        if rng.random() < 0.04 or target == "/old-catalogue.html":
            lost_at = min(last_seen + timedelta(days=rng.randint(1, 9)), END)
        title = f"{slug.replace('-', ' ').capitalize()} | {domain.host.split('.')[0]}"
        links.append(
            Link(
                domain=domain,
                source_url=source_url,
                title=title,
                target=f"{SITE}{target}",
                anchor=anchor,
                is_image=is_image,
                is_nofollow=is_nofollow,
                is_ugc=is_ugc,
                is_sponsored=is_sponsored,
                first_seen=first_seen,
                last_seen=last_seen,
                lost_at=lost_at,
                url_rating=max(0, domain.rating // 3 + rng.randint(-3, 8)),
            )
        )
    return links


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _ahrefs_row(rng: random.Random, link: Link) -> list[str]:
    domain = link.domain
    cells = {
        "Referring page title": link.title,
        "Referring page URL": link.source_url,
        "Language": domain.language,
        "Platform": domain.platform,
        "Referring page HTTP code": "404" if link.lost_at and rng.random() < 0.5 else "200",
        "Domain rating": str(domain.rating),
        "UR": str(link.url_rating),
        "Domain traffic": str(domain.traffic),
        "Referring domains": str(int(domain.rating**1.8) + rng.randint(0, 40)),
        "Linked domains": str(
            rng.randint(300, 900) if domain.kind == "spam" else rng.randint(3, 80)
        ),
        "External links": str(rng.randint(2, 150)),
        "Page traffic": str(int(domain.traffic * rng.random() * 0.05)),
        "Keywords": str(rng.randint(0, 200)),
        "Target URL": link.target,
        "Left context": "" if link.is_image else rng.choice(("We recommend", "See", "Via", "")),
        "Anchor": link.anchor,
        "Right context": "" if link.is_image else rng.choice(("for more.", "", "(worth a look).")),
        "Type": "image" if link.is_image else "text",
        "Is spam": _flag(domain.kind == "spam"),
        "Content": _flag(domain.kind not in ("directory", "spam")),
        "Nofollow": _flag(link.is_nofollow),
        "UGC": _flag(link.is_ugc),
        "Sponsored": _flag(link.is_sponsored),
        "Rendered": "false",
        "Raw": "true",
        "Lost status": "removed" if link.lost_at else "",
        "Drop reason": "Link removed from page" if link.lost_at else "",
        "First seen": _when(link.first_seen),
        "Last seen": _when(link.last_seen),
        "Lost": _when(link.lost_at),
        "Page type": domain.page_type,
        "Page category": "Home & Garden",
        "Links in group": "1",
    }
    return [cells.get(header, "") for header in AHREFS_HEADERS]


def _majestic_row(rng: random.Random, link: Link) -> list[str]:
    domain = link.domain
    trust = max(0, domain.rating // 2 + rng.randint(-6, 6))
    topic = rng.choice(TOPICS[-2:] if domain.kind == "spam" else TOPICS[:5])
    cells = {
        "Target URL": link.target,
        "Source URL": link.source_url,
        "Anchor Text": link.anchor,
        "Source Crawl Date": link.last_seen.strftime("%Y-%m-%d"),
        "Source First Found Date": min(
            link.first_seen + timedelta(days=rng.randint(-5, 12)), link.last_seen
        ).strftime("%Y-%m-%d"),
        "FlagNoFollow": "+" if link.is_nofollow else "-",
        "FlagImageLink": "+" if link.is_image else "-",
        "FlagRedirect": "-",
        "FlagFrame": "-",
        "FlagOldCrawl": "+" if link.lost_at else "-",
        "FlagAltText": "+" if link.is_image and link.anchor else "-",
        "FlagMention": "-",
        "SourceCitationFlow": str(min(100, trust + rng.randint(0, 20))),
        "SourceTrustFlow": str(trust),
        "TargetCitationFlow": str(rng.randint(18, 34)),
        "TargetTrustFlow": str(rng.randint(12, 26)),
        "SourceTopicalTrustFlow_Topic_0": topic,
        "SourceTopicalTrustFlow_Value_0": str(max(0, trust - rng.randint(0, 5))),
        "RefDomainTopicalTrustFlow_Topic_0": topic,
        "RefDomainTopicalTrustFlow_Value_0": str(trust),
    }
    return [cells[header] for header in MAJESTIC_HEADERS]


def _table(headers: tuple[str, ...], rows: list[list[str]], delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def build_sample() -> dict[str, bytes]:
    """Return the sample file names with their exact bytes."""
    rng = random.Random(SEED)  # noqa: S311 - sample data, not security
    links = build_links(rng)
    ahrefs_links, majestic_only = links[:N_AHREFS], links[N_AHREFS:]
    ahrefs = [_ahrefs_row(rng, link) for link in ahrefs_links]
    seen_by_both = [link for link in ahrefs_links if rng.random() < 0.55]
    majestic = [_majestic_row(rng, link) for link in seen_by_both + majestic_only]
    rng.shuffle(majestic)
    ahrefs_text = _table(AHREFS_HEADERS, ahrefs, "\t")
    return {
        AHREFS_FILE: codecs.BOM_UTF16_LE + ahrefs_text.encode("utf-16-le"),
        MAJESTIC_FILE: _table(MAJESTIC_HEADERS, majestic, ",").encode("utf-8"),
    }


def main(directory: Path) -> None:
    """Write the sample exports into *directory*."""
    for name, data in build_sample().items():
        (directory / name).write_bytes(data)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
