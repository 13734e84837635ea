"""The compact, seeded specification of a sample web: sites, their page slots, planned links.

Nothing here holds a page. A site is a handful of fields and a number of page
slots; the path, kind and title of slot ``n`` are computed from the seed when
asked (``WebSpec.path_of``, ``WebSpec.kind_of``, ``WebSpec.title_of``), and so
is the page itself (``samples.web.pages``). What must be decided for the web as
a whole (guest posts and the tier-2 pages that link to them, the private blog
network, sponsored and broken links, redirects) is drawn once, up front, into
``WebSpec.planned``: a few links per site, whatever the number of pages.

Page slots of a site, in order:

- ``0`` the home page ``/``, ``1`` ``/about/``, ``2`` ``/contact/``;
- one category page ``/<category>/`` per category;
- the items: the money and competitor sites' keyword pages ``/<keyword>/``
  first; then, item ``k`` counted from 0, a robots-disallowed page
  ``/private/<slug>-<n>/`` when ``k % private_every == 1``, a ``noindex`` tag
  page ``/tag/<word>-<n>/`` when ``k % tag_every == 2``, and otherwise an
  article ``/<category>/<slug>-<n>/`` (on a link farm or a directory, a page
  of outbound links).

Every path but the fixed ones ends in ``-<n>/``, so a path leads back to its
slot without an index.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import re
import string
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from linkequity.samples.web.words import GENERIC_ANCHORS, THEMES, Theme, slug, title_words

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = [
    "MIN_SITES",
    "AnchorClass",
    "LinkKind",
    "PageKind",
    "PlannedLink",
    "Redirect",
    "Site",
    "SiteRole",
    "WebSpec",
    "generate_spec",
]

#: Fewest sites a sample web has: every role needs at least one.
MIN_SITES = 14
#: Items (pages beyond the fixed ones) every site has at least.
MIN_ITEMS = 3
_TAG_EVERY = 13
_PRIVATE_EVERY = 11
_NUMBERED_PATH = re.compile(r"-(\d+)/\Z")


class SiteRole(StrEnum):
    """What a site is for, as the manifest states it."""

    TARGET = "target"
    COMPETITOR = "competitor"
    EDITORIAL = "editorial"
    PBN = "pbn"
    FARM = "farm"
    DIRECTORY = "directory"
    SPAM = "spam"


class PageKind(StrEnum):
    """What one page slot of a site holds."""

    HOME = "home"
    ABOUT = "about"
    CONTACT = "contact"
    CATEGORY = "category"
    KEYWORD = "keyword"
    ARTICLE = "article"
    TAG = "tag"
    PRIVATE = "private"


class LinkKind(StrEnum):
    """Why a link is on its page; the manifest's ``kind`` of each link."""

    TEMPLATE = "template"
    INTERNAL = "internal"
    LISTING = "listing"
    GUEST_POST = "guest_post"
    TIER2 = "tier2"
    PBN = "pbn"
    CITATION = "citation"
    COMPETITOR = "competitor"
    SPONSORED = "sponsored"
    BROKEN = "broken"
    FOOTER = "footer"
    BLOGROLL = "blogroll"
    COMMENT = "comment"
    COMMENT_SPAM = "comment_spam"
    FARM = "farm"
    DIRECTORY = "directory"
    SPAM = "spam"


class AnchorClass(StrEnum):
    """The anchor text classes of links to the money site."""

    EXACT = "exact"
    PARTIAL = "partial"
    BRAND = "brand"
    NAKED = "naked"
    GENERIC = "generic"


@dataclass(frozen=True, slots=True)
class PlannedLink:
    """A link drawn for the web as a whole, placed in the content of one page."""

    target: str
    anchor: str
    rel: str = ""
    kind: LinkKind = LinkKind.CITATION


@dataclass(frozen=True, slots=True)
class Redirect:
    """A path of a site that answers with a redirect to ``location`` (absolute)."""

    path: str
    status: int
    location: str


@dataclass(frozen=True, slots=True)
class Site:
    """One site of the sample web: its identity, its template and its page slots."""

    index: int
    host: str
    name: str
    role: SiteRole
    kind: str
    skin: str
    analytics_id: str | None
    pages: int
    categories: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    private_every: int = 0
    tag_every: int = 0
    redirects: tuple[Redirect, ...] = ()
    footer_links: tuple[PlannedLink, ...] = ()
    blogroll: tuple[PlannedLink, ...] = ()
    has_sitemap_line: bool = True

    @property
    def base(self) -> str:
        """The site's root URL, ``http://host/``."""
        return f"http://{self.host}/"

    @property
    def first_item(self) -> int:
        """The slot of the first item (keyword page or article)."""
        return 3 + len(self.categories)

    def url(self, path: str) -> str:
        """Return the absolute URL of *path* on this site."""
        return f"http://{self.host}{path}"

    @property
    def disallowed_prefixes(self) -> tuple[str, ...]:
        """The ``Disallow`` paths of the site's robots.txt."""
        return ("/private/",) if self.private_every else ()


@dataclass(frozen=True, slots=True)
class WebSpec:
    """Everything that decides a sample web; pages are computed from it on request.

    Attributes
    ----------
    seed : int
        The seed everything is drawn from.
    theme : Theme
        The niche: keywords, nouns and categories.
    sites : tuple of Site
        Site 0 is the money (target) site.
    planned : mapping
        ``(site index, slot) -> links`` placed in that page's content.
    guest_posts : tuple of (int, int)
        The ``(site index, slot)`` of every guest post linking to the target.
    dead_urls : tuple of str
        URLs that links point to and that answer 404.
    network_analytics_id : str
        The Google Analytics id the private blog network shares.
    """

    seed: int
    theme: Theme
    sites: tuple[Site, ...]
    planned: Mapping[tuple[int, int], tuple[PlannedLink, ...]]
    guest_posts: tuple[tuple[int, int], ...]
    dead_urls: tuple[str, ...]
    network_analytics_id: str
    hosts: Mapping[str, int] = field(default_factory=dict)

    @property
    def target(self) -> Site:
        """The money site."""
        return self.sites[0]

    @property
    def page_count(self) -> int:
        """Page slots across all sites."""
        return sum(site.pages for site in self.sites)

    def site_of_host(self, host: str) -> Site | None:
        """Return the site served under *host* (lowercase, no port), if any."""
        index = self.hosts.get(host)
        return None if index is None else self.sites[index]

    def kind_of(self, site: Site, slot: int) -> PageKind:
        """Return what page slot *slot* of *site* holds."""
        if slot == 0:
            return PageKind.HOME
        if slot == 1:
            return PageKind.ABOUT
        if slot == 2:
            return PageKind.CONTACT
        if slot < site.first_item:
            return PageKind.CATEGORY
        item = slot - site.first_item
        if item < len(site.keywords):
            return PageKind.KEYWORD
        item -= len(site.keywords)
        if site.private_every and item % site.private_every == 1:
            return PageKind.PRIVATE
        if site.tag_every and item % site.tag_every == 2:
            return PageKind.TAG
        return PageKind.ARTICLE

    def category_of(self, site: Site, slot: int) -> str:
        """Return the category an article slot is filed under."""
        return site.categories[(slot - site.first_item) % len(site.categories)]

    def title_of(self, site: Site, slot: int) -> str:
        """Return the headline of a page slot."""
        kind = self.kind_of(site, slot)
        if kind is PageKind.HOME:
            return site.name
        if kind is PageKind.ABOUT:
            return f"About {site.name}"
        if kind is PageKind.CONTACT:
            return f"Contact {site.name}"
        if kind is PageKind.CATEGORY:
            return site.categories[slot - 3].title()
        if kind is PageKind.KEYWORD:
            return site.keywords[slot - site.first_item].capitalize()
        words = _title_words(self.seed, site.index, slot, self.theme.nouns)
        if kind is PageKind.TAG:
            return f"Posts tagged {words[1]}"
        return " ".join(words).capitalize()

    def path_of(self, site: Site, slot: int) -> str:
        """Return the path of a page slot."""
        kind = self.kind_of(site, slot)
        if kind is PageKind.HOME:
            return "/"
        if kind is PageKind.ABOUT:
            return "/about/"
        if kind is PageKind.CONTACT:
            return "/contact/"
        if kind is PageKind.CATEGORY:
            return f"/{site.categories[slot - 3]}/"
        if kind is PageKind.KEYWORD:
            return f"/{slug([site.keywords[slot - site.first_item]])}/"
        words = _title_words(self.seed, site.index, slot, self.theme.nouns)
        if kind is PageKind.TAG:
            return f"/tag/{slug(words[1:2])}-{slot}/"
        if kind is PageKind.PRIVATE:
            return f"/private/{slug(words)}-{slot}/"
        return f"/{self.category_of(site, slot)}/{slug(words)}-{slot}/"

    def url_of(self, site: Site, slot: int) -> str:
        """Return the absolute URL of a page slot."""
        return site.url(self.path_of(site, slot))

    def slot_of(self, site: Site, path: str) -> int | None:
        """Return the page slot served at *path*, or ``None``."""
        fixed = {"/": 0, "/about/": 1, "/contact/": 2}
        if path in fixed:
            return fixed[path]
        for index, category in enumerate(site.categories):
            if path == f"/{category}/":
                return 3 + index
        for index, keyword in enumerate(site.keywords):
            if path == f"/{slug([keyword])}/":
                return site.first_item + index
        found = _NUMBERED_PATH.search(path)
        if found is None:
            return None
        slot = int(found.group(1))
        if not site.first_item <= slot < site.pages or self.path_of(site, slot) != path:
            return None
        return slot

    def has_kind(self, site: Site, kind: PageKind) -> bool:
        """Whether *site* has any item page of *kind* (keyword, article, tag, private)."""
        if kind is PageKind.KEYWORD:
            return bool(site.keywords)
        if kind is PageKind.PRIVATE:
            return bool(site.private_every)
        if kind is PageKind.TAG:
            return bool(site.tag_every)
        return kind is PageKind.ARTICLE

    def slots(self, site: Site, kind: PageKind) -> Iterator[int]:
        """Yield the slots of *site* that hold pages of *kind*, in order."""
        return (slot for slot in range(site.pages) if self.kind_of(site, slot) is kind)

    def latest(self, site: Site, kind: PageKind, count: int, *, category: str = "") -> list[int]:
        """Return up to *count* item slots of *kind*, newest (highest slot) first."""
        found: list[int] = []
        if not self.has_kind(site, kind):
            return found
        for slot in range(site.pages - 1, site.first_item - 1, -1):
            if self.kind_of(site, slot) is not kind:
                continue
            if category and self.category_of(site, slot) != category:
                continue
            found.append(slot)
            if len(found) == count:
                break
        return found

    def earliest(self, site: Site, kind: PageKind, count: int) -> list[int]:
        """Return up to *count* item slots of *kind*, lowest slot first."""
        found: list[int] = []
        if not self.has_kind(site, kind):
            return found
        for slot in range(site.first_item, site.pages):
            if self.kind_of(site, slot) is kind:
                found.append(slot)
                if len(found) == count:
                    break
        return found

    def random_slot(self, rng: random.Random, site: Site, kind: PageKind) -> int:
        """Draw a slot of *kind* on *site* (the first such slot after a few misses)."""
        for _ in range(32):
            slot = rng.randrange(site.first_item, site.pages)
            if self.kind_of(site, slot) is kind:
                return slot
        return self.earliest(site, kind, 1)[0]

    def sites_with(self, *roles: SiteRole) -> list[Site]:
        """Return the sites whose role is one of *roles*, in index order."""
        return [site for site in self.sites if site.role in roles]


@functools.lru_cache(maxsize=65536)
def _title_words(seed: int, site: int, slot: int, nouns: tuple[str, ...]) -> tuple[str, ...]:
    rng = random.Random(f"{seed}:title:{site}:{slot}")  # noqa: S311 - sample data
    return tuple(title_words(rng, nouns))


_WEIGHTS = {
    SiteRole.TARGET: 6.0,
    SiteRole.COMPETITOR: 3.0,
    SiteRole.EDITORIAL: 5.0,
    SiteRole.PBN: 1.0,
    SiteRole.FARM: 0.3,
    SiteRole.DIRECTORY: 0.5,
    SiteRole.SPAM: 0.3,
}
_EDITORIAL_KINDS = ("news", "blog", "niche")
_EDITORIAL_SKINS = ("classic", "magazine", "aria")
_COMPETITOR_SUFFIXES = ("depot", "direct", "hub", "store", "outlet", "supply", "mart", "co")
_SPAM_WORDS = ("casino-bonus", "cheap-pills", "crypto-profit", "replica-watches", "payday-loan")


def _roles(sites: int) -> list[tuple[SiteRole, str]]:
    competitors = max(2, sites // 10)
    pbn = max(4, sites // 8)
    farms = max(1, sites // 20)
    directories = max(1, sites // 20)
    spam = max(2, sites // 10)
    editorial = sites - 1 - competitors - pbn - farms - directories - spam
    roles = [(SiteRole.TARGET, "")]
    roles += [(SiteRole.COMPETITOR, "")] * competitors
    roles += [(SiteRole.EDITORIAL, _EDITORIAL_KINDS[i % 3]) for i in range(editorial)]
    roles += [(SiteRole.PBN, "blog")] * pbn
    roles += [(SiteRole.FARM, "")] * farms
    roles += [(SiteRole.DIRECTORY, "")] * directories
    roles += [(SiteRole.SPAM, "")] * spam
    return roles


def _ga4_id(rng: random.Random) -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "G-" + "".join(rng.choice(alphabet) for _ in range(9)) + str(rng.randrange(10))


def generate_spec(seed: int, *, sites: int, pages: int) -> WebSpec:
    """Draw the specification of a sample web.

    Parameters
    ----------
    seed : int
        Every choice is drawn from ``random.Random(seed)`` and generators seeded
        from it; the same seed gives the same web.
    sites : int
        Number of sites, at least ``MIN_SITES``.
    pages : int
        Page slots across all sites; each site gets a share by its role, and
        at least its fixed pages and ``MIN_ITEMS`` items.

    Raises
    ------
    ValueError
        If *sites* or *pages* is too small.
    """
    if sites < MIN_SITES:
        raise ValueError(f"a sample web has at least {MIN_SITES} sites, not {sites}")
    rng = random.Random(seed)  # noqa: S311 - sample data, not security
    theme = THEMES[rng.randrange(len(THEMES))]
    roles = _roles(sites)
    categories = [_categories(rng, theme, role) for role, _ in roles]
    keywords = [_keywords(rng, theme, role) for role, _ in roles]
    floors = [3 + len(c) + len(k) + MIN_ITEMS for c, k in zip(categories, keywords, strict=True)]
    if pages < sum(floors):
        raise ValueError(f"{sites} sites need at least {sum(floors)} pages, not {pages}")
    counts = _share_pages(pages, floors, [_WEIGHTS[role] for role, _ in roles])
    network_id = f"UA-{rng.randrange(10_000_000, 99_999_999)}-1"
    brand = "".join(word.capitalize() for word in rng.sample(theme.brand_words, 2))
    built: list[Site] = []
    taken: set[str] = set()
    for index, (role, kind) in enumerate(roles):
        host, name = _host_and_name(rng, theme, role, kind, index, brand, taken)
        taken.add(host)
        built.append(
            Site(
                index=index,
                host=host,
                name=name,
                role=role,
                kind=kind,
                skin=_skin(role, index),
                analytics_id=_analytics_id(rng, role, network_id),
                pages=counts[index],
                categories=categories[index],
                keywords=keywords[index],
                private_every=_PRIVATE_EVERY if role is SiteRole.EDITORIAL and index % 2 else 0,
                tag_every=_TAG_EVERY if role is SiteRole.EDITORIAL else 0,
                has_sitemap_line=role not in (SiteRole.FARM, SiteRole.SPAM),
            )
        )
    planner = _Planner(rng, seed, theme, built, network_id)
    return planner.plan()


def _categories(rng: random.Random, theme: Theme, role: SiteRole) -> tuple[str, ...]:
    if role is SiteRole.FARM:
        return ("links",)
    if role is SiteRole.SPAM:
        return ("deals",)
    if role in (SiteRole.TARGET, SiteRole.COMPETITOR):
        return ("guides",)
    count = 2 if role is SiteRole.PBN else rng.randint(3, 4)
    chosen = set(rng.sample(range(len(theme.categories)), count))
    return tuple(name for i, name in enumerate(theme.categories) if i in chosen)


def _keywords(rng: random.Random, theme: Theme, role: SiteRole) -> tuple[str, ...]:
    if role is SiteRole.TARGET:
        return theme.keywords[:8]
    if role is SiteRole.COMPETITOR:
        return tuple(rng.sample(theme.keywords, 4))
    return ()


def _share_pages(pages: int, floors: list[int], weights: list[float]) -> list[int]:
    spare = pages - sum(floors)
    total = sum(weights)
    counts = [
        floor + int(spare * weight / total) for floor, weight in zip(floors, weights, strict=True)
    ]
    for index in range(pages - sum(counts)):  # the rounding remainder, one each
        counts[index % len(counts)] += 1
    return counts


def _host_and_name(
    rng: random.Random,
    theme: Theme,
    role: SiteRole,
    kind: str,
    index: int,
    brand: str,
    taken: set[str],
) -> tuple[str, str]:
    for attempt in range(100):
        if role is SiteRole.TARGET:
            label, name = brand.lower(), brand
        elif role is SiteRole.COMPETITOR:
            word = rng.choice(theme.brand_words)
            suffix = _COMPETITOR_SUFFIXES[(index + attempt) % len(_COMPETITOR_SUFFIXES)]
            label, name = f"{word}{suffix}", f"{word.capitalize()}{suffix.capitalize()}"
        elif role is SiteRole.EDITORIAL:
            word = rng.choice(theme.nouns)
            label, name = f"{word}-{kind}-{index}", f"{word.capitalize()} {kind.capitalize()}"
        elif role is SiteRole.PBN:
            first, second = (
                rng.choice(("tidy", "smart", "daily", "top", "pro")),
                rng.choice(theme.nouns),
            )
            label, name = f"{first}-{second}-{index}", f"{first.capitalize()} {second.capitalize()}"
        elif role is SiteRole.FARM:
            label, name = f"{rng.choice(theme.nouns)}-links-{index}", "Free Link Exchange"
        elif role is SiteRole.DIRECTORY:
            label, name = f"{theme.name}-directory-{index}", f"{theme.name.capitalize()} Directory"
        else:
            word = rng.choice(_SPAM_WORDS)
            label, name = f"{word}-{index}", word.replace("-", " ").title()
        host = (
            f"www.{label}.example"
            if role in (SiteRole.TARGET, SiteRole.COMPETITOR)
            else (f"{label}.example")
        )
        if host not in taken:
            return host, name
    raise AssertionError("no free host name")  # pragma: no cover


def _skin(role: SiteRole, index: int) -> str:
    if role in (SiteRole.TARGET, SiteRole.COMPETITOR):
        return "shop"
    if role is SiteRole.EDITORIAL:
        return _EDITORIAL_SKINS[index % len(_EDITORIAL_SKINS)]
    if role is SiteRole.PBN:
        return "pbn"
    return "listing"


def _analytics_id(rng: random.Random, role: SiteRole, network_id: str) -> str | None:
    if role is SiteRole.PBN:
        return network_id
    if role in (SiteRole.FARM, SiteRole.SPAM):
        return None
    return _ga4_id(rng)


_GUEST_ANCHORS = (
    (AnchorClass.EXACT, 20),
    (AnchorClass.PARTIAL, 25),
    (AnchorClass.BRAND, 30),
    (AnchorClass.NAKED, 10),
    (AnchorClass.GENERIC, 15),
)
_PBN_ANCHORS = ((AnchorClass.EXACT, 60), (AnchorClass.PARTIAL, 30), (AnchorClass.BRAND, 10))
_PARTIAL_FORMS = ("best {}", "{} guide", "cheap {} online", "how to choose {}", "{} reviews")


class _Planner:
    """Draws the links decided for the web as a whole, in a fixed order."""

    def __init__(
        self, rng: random.Random, seed: int, theme: Theme, sites: list[Site], network_id: str
    ) -> None:
        self.rng = rng
        self.seed = seed
        self.theme = theme
        self.sites = sites
        self.network_id = network_id
        self.planned: dict[tuple[int, int], list[PlannedLink]] = {}
        self.dead: list[str] = []
        self.spec = self._spec((), ())

    def _spec(self, guest_posts: tuple[tuple[int, int], ...], dead: tuple[str, ...]) -> WebSpec:
        return WebSpec(
            seed=self.seed,
            theme=self.theme,
            sites=tuple(self.sites),
            planned={key: tuple(links) for key, links in self.planned.items()},
            guest_posts=guest_posts,
            dead_urls=dead,
            network_analytics_id=self.network_id,
            hosts={site.host: site.index for site in self.sites},
        )

    def add(self, site: Site, slot: int, link: PlannedLink) -> None:
        self.planned.setdefault((site.index, slot), []).append(link)

    def article(self, site: Site) -> int:
        return self.spec.random_slot(self.rng, site, PageKind.ARTICLE)

    def target_anchor(self, weights: tuple[tuple[AnchorClass, int], ...]) -> tuple[str, str]:
        """Return ``(target url, anchor)`` of a new link to the money site."""
        target = self.sites[0]
        cls = self.rng.choices([c for c, _ in weights], [w for _, w in weights])[0]
        keyword_slot = target.first_item + self.rng.randrange(len(target.keywords))
        keyword = target.keywords[keyword_slot - target.first_item]
        keyword_url = self.spec.url_of(target, keyword_slot)
        if cls is AnchorClass.EXACT:
            return keyword_url, keyword
        if cls is AnchorClass.PARTIAL:
            return keyword_url, self.rng.choice(_PARTIAL_FORMS).format(keyword)
        if cls is AnchorClass.BRAND:
            return target.base, target.name
        if cls is AnchorClass.NAKED:
            return target.base, target.base
        return self.rng.choice([target.base, keyword_url]), self.rng.choice(GENERIC_ANCHORS)

    def plan(self) -> WebSpec:
        rng = self.rng
        spec = self.spec
        target = self.sites[0]
        editorial = spec.sites_with(SiteRole.EDITORIAL)
        pbn = spec.sites_with(SiteRole.PBN)
        competitors = spec.sites_with(SiteRole.COMPETITOR)
        keyword_slots = [target.first_item + i for i in range(len(target.keywords))]

        # The money site's moved and removed pages.
        chain_end = spec.url_of(target, keyword_slots[2])
        target_redirects = (
            Redirect("/old-shop/", 301, target.base),
            Redirect("/promo/", 302, spec.url_of(target, keyword_slots[1])),
            Redirect("/2019/catalogue/", 301, target.url("/2020/catalogue/")),
            Redirect("/2020/catalogue/", 301, chain_end),
        )
        discontinued = target.url(f"/discontinued/{slug([target.keywords[-1]])}/")
        self.dead.append(discontinued)

        # Guest posts on editorial sites, each linking to the money site in content.
        guest_posts: list[tuple[int, int]] = []
        for site in editorial:
            articles = site.pages - site.first_item
            for _ in range(min(40, max(1, articles // 12))):
                slot = self.article(site)
                if (site.index, slot) in guest_posts:
                    continue
                guest_posts.append((site.index, slot))
                for _ in range(rng.choice((1, 1, 2))):
                    url, anchor = self.target_anchor(_GUEST_ANCHORS)
                    self.add(site, slot, PlannedLink(url, anchor, kind=LinkKind.GUEST_POST))
        specials = (
            (target.url("/2019/catalogue/"), target.keywords[2]),
            (discontinued, target.keywords[-1]),
            (target.url("/promo/"), f"{target.name} sale"),
            (target.url("/old-shop/"), f"{target.name} shop"),
        )
        for (site_index, slot), (url, anchor) in zip(guest_posts, specials, strict=False):
            kind = LinkKind.BROKEN if url == discontinued else LinkKind.GUEST_POST
            self.add(self.sites[site_index], slot, PlannedLink(url, anchor, kind=kind))

        # Tier 2: pages on other sites linking to the guest posts.
        sources = editorial + pbn
        for site_index, slot in guest_posts:
            post = self.sites[site_index]
            words = spec.title_of(post, slot).split()
            for _ in range(rng.randint(1, 3)):
                source = rng.choice([s for s in sources if s.index != site_index])
                anchor = (
                    " ".join(words[rng.randrange(2) :][:3])
                    if rng.random() < 0.8
                    else (rng.choice(GENERIC_ANCHORS))
                )
                link = PlannedLink(spec.url_of(post, slot), anchor, kind=LinkKind.TIER2)
                self.add(source, self.article(source), link)

        # The private blog network: links to the money site, to each other, to guest posts.
        for position, site in enumerate(pbn):
            for _ in range(rng.randint(2, 4)):
                url, anchor = self.target_anchor(_PBN_ANCHORS)
                self.add(site, self.article(site), PlannedLink(url, anchor, kind=LinkKind.PBN))
            sibling = pbn[(position + 1) % len(pbn)]
            sibling_slot = self.article(sibling)
            anchor = spec.title_of(sibling, sibling_slot).lower()
            link = PlannedLink(spec.url_of(sibling, sibling_slot), anchor, kind=LinkKind.PBN)
            self.add(site, self.article(site), link)
            post_site, post_slot = rng.choice(guest_posts)
            anchor = spec.title_of(self.sites[post_site], post_slot).lower()
            link = PlannedLink(
                spec.url_of(self.sites[post_site], post_slot), anchor, kind=LinkKind.TIER2
            )
            self.add(site, self.article(site), link)

        # Competitors' own backlinks from editorial articles.
        for competitor in competitors:
            for _ in range(rng.randint(2, 5)):
                source = rng.choice(editorial)
                item = rng.randrange(len(competitor.keywords))
                url = spec.url_of(competitor, competitor.first_item + item)
                anchor = rng.choice((competitor.keywords[item], competitor.name))
                self.add(
                    source, self.article(source), PlannedLink(url, anchor, kind=LinkKind.COMPETITOR)
                )

        # Sponsored links in content, to the money site and to a competitor.
        for shop in (target, competitors[0], target):
            source = rng.choice(editorial)
            url = shop.base if shop is not target else self.target_anchor(_GUEST_ANCHORS)[0]
            link = PlannedLink(url, f"{shop.name} offers", "sponsored", LinkKind.SPONSORED)
            self.add(source, self.article(source), link)

        # Editorial citations, moved articles (redirects) and removed ones (404).
        moved: dict[int, tuple[Redirect, ...]] = {}
        for position, site in enumerate(editorial):
            others = [s for s in editorial if s.index != site.index]
            for _ in range(rng.randint(1, 3)):
                cited = rng.choice(others)
                cited_slot = self.article(cited)
                link = PlannedLink(
                    spec.url_of(cited, cited_slot),
                    spec.title_of(cited, cited_slot).lower(),
                    kind=LinkKind.CITATION,
                )
                self.add(site, self.article(site), link)
            cited = rng.choice(others)
            removed = cited.url(f"/{cited.categories[0]}/removed-{position}/")
            self.dead.append(removed)
            link = PlannedLink(
                removed, f"{cited.name} on {rng.choice(self.theme.nouns)}s", kind=LinkKind.BROKEN
            )
            self.add(site, self.article(site), link)
            if position < 2:
                moved_slot = self.article(site)
                redirect = Redirect(
                    f"/moved/{slug(spec.title_of(site, moved_slot).split())}-{moved_slot}/",
                    301,
                    spec.url_of(site, moved_slot),
                )
                moved[site.index] = (redirect,)
                citer = others[0]
                link = PlannedLink(site.url(redirect.path), spec.title_of(site, moved_slot).lower())
                self.add(citer, self.article(citer), link)

        # Sitewide footer and sidebar links.
        footer: dict[int, tuple[PlannedLink, ...]] = {
            editorial[0].index: (PlannedLink(target.base, target.name, kind=LinkKind.FOOTER),),
            editorial[1].index: (
                PlannedLink(competitors[0].base, competitors[0].name, "sponsored", LinkKind.FOOTER),
            ),
        }
        blogrolls: dict[int, tuple[PlannedLink, ...]] = {}
        for site in pbn:
            footer[site.index] = (
                PlannedLink(target.base, target.keywords[0], kind=LinkKind.FOOTER),
            )
            blogrolls[site.index] = tuple(
                PlannedLink(other.base, other.name, kind=LinkKind.BLOGROLL)
                for other in pbn
                if other.index != site.index
            )

        for index, site in enumerate(self.sites):
            redirects = target_redirects if site is target else moved.get(site.index, ())
            self.sites[index] = _replace_site(
                site,
                redirects=redirects,
                footer_links=footer.get(site.index, ()),
                blogroll=blogrolls.get(site.index, ()),
            )
        return self._spec(tuple(guest_posts), tuple(self.dead))


def _replace_site(
    site: Site,
    *,
    redirects: tuple[Redirect, ...],
    footer_links: tuple[PlannedLink, ...],
    blogroll: tuple[PlannedLink, ...],
) -> Site:
    return dataclasses.replace(
        site, redirects=redirects, footer_links=footer_links, blogroll=blogroll
    )
