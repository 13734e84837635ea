"""One page of a sample web, composed from the spec: its regions, text and links.

``compose_page`` is pure and seeded by ``(seed, site, slot)``: the same page
comes out every time, whichever pages were composed before it. Template links
(logo, navigation, sidebar, footer) are added first, so that a content link
repeating one of them (same target, same folded anchor) is written as plain
text: every link of a page is distinct, as the store keys links.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from linkequity.model.links import Placement, fold_anchor
from linkequity.samples.web.spec import LinkKind, PageKind, PlannedLink, SiteRole
from linkequity.samples.web.words import paragraph, person, sentence

if TYPE_CHECKING:
    from linkequity.samples.web.spec import Site, WebSpec

__all__ = ["Comment", "LinkSpec", "ListingItem", "PageDoc", "SidebarBox", "compose_page"]

#: Outbound links of one link-farm page, at least and at most.
FARM_LINKS = (200, 400)
#: Entries of one directory page, at least and at most.
DIRECTORY_LINKS = (150, 300)
_LISTED = 10
_RECENT = 5
_TAGS_SHOWN = 3
_LEADS = (
    "As explained in", "There is more on this in", "We covered the basics in",
    "Readers keep recommending", "A good starting point is", "For the longer story see",
    "According to", "It is worth comparing notes with", "We first read about it in",
)  # fmt: skip
_TAILS = (
    "for anyone starting out", "which is still worth a read", "and the advice holds up",
    "if you want the details", "with plenty of worked examples", "before buying anything",
    "from a few seasons back", "and we agree with most of it",
)  # fmt: skip
_COMMENT_RELS = (("ugc nofollow", 60), ("nofollow", 25), ("ugc", 15))
_SPAM_ANCHORS = ("cheap {}", "buy {} now", "best {} deals", "{} discount", "free {}")


@dataclass(frozen=True, slots=True)
class LinkSpec:
    """One link of a page, as the manifest states it."""

    target: str
    anchor: str
    rel: str
    placement: Placement
    is_sitewide: bool
    kind: LinkKind


Segment = str | LinkSpec


@dataclass(frozen=True, slots=True)
class ListingItem:
    """An entry of a list of links: the link and a line of description."""

    link: LinkSpec
    blurb: str


@dataclass(frozen=True, slots=True)
class Comment:
    """One reader comment: its author (linked or not) and its text."""

    author: str
    author_link: LinkSpec | None
    body: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class SidebarBox:
    """One widget of the sidebar: a heading and its links."""

    heading: str
    links: tuple[LinkSpec, ...]


@dataclass(frozen=True, slots=True)
class PageDoc:
    """A page ready to render: everything it says, region by region, in document order."""

    url: str
    site: Site
    kind: PageKind
    title: str
    description: str
    is_noindex: bool
    logo: LinkSpec
    nav: tuple[LinkSpec, ...]
    heading: str
    byline: str
    body: tuple[tuple[Segment, ...], ...]
    listing: tuple[ListingItem, ...]
    comments: tuple[Comment, ...]
    sidebar: tuple[SidebarBox, ...]
    footer: tuple[LinkSpec, ...]
    footer_note: str

    def links(self) -> list[LinkSpec]:
        """Return every link of the page in document order."""
        found = [self.logo, *self.nav]
        for block in self.body:
            found += [part for part in block if isinstance(part, LinkSpec)]
        found += [item.link for item in self.listing]
        for comment in self.comments:
            if comment.author_link is not None:
                found.append(comment.author_link)
            found += [part for part in comment.body if isinstance(part, LinkSpec)]
        for box in self.sidebar:
            found += box.links
        found += self.footer
        return found


class _Links:
    """Makes the links of one page, refusing a second link with the same target and anchor."""

    def __init__(self) -> None:
        self._seen: set[tuple[str, str]] = set()

    def add(
        self,
        target: str,
        anchor: str,
        placement: Placement,
        kind: LinkKind,
        *,
        rel: str = "",
        is_sitewide: bool = False,
    ) -> LinkSpec | None:
        key = (target, fold_anchor(anchor))
        if key in self._seen:
            return None
        self._seen.add(key)
        return LinkSpec(target, anchor, rel, placement, is_sitewide, kind)

    def template(
        self, target: str, anchor: str, placement: Placement, kind: LinkKind
    ) -> list[LinkSpec]:
        made = self.add(target, anchor, placement, kind, is_sitewide=True)
        return [] if made is None else [made]


def compose_page(spec: WebSpec, site: Site, slot: int) -> PageDoc:
    """Compose page *slot* of *site*; the slot must be one of the site's pages."""
    rng = random.Random(f"{spec.seed}:page:{site.index}:{slot}")  # noqa: S311 - sample data
    kind = spec.kind_of(site, slot)
    links = _Links()
    composer = _Composer(spec, site, slot, rng, links)
    logo, nav, sidebar, footer = composer.template()
    heading = spec.title_of(site, slot)
    body, listing, comments, byline = composer.content(kind)
    first = next((part for part in body[0] if isinstance(part, str)), "") if body else heading
    return PageDoc(
        url=spec.url_of(site, slot),
        site=site,
        kind=kind,
        title=heading if kind is PageKind.HOME else f"{heading} | {site.name}",
        description=first.split(".")[0][:150],
        is_noindex=kind is PageKind.TAG,
        logo=logo,
        nav=nav,
        heading=heading,
        byline=byline,
        body=body,
        listing=listing,
        comments=comments,
        sidebar=sidebar,
        footer=footer,
        footer_note=f"© 2024 {site.name}. All rights reserved.",
    )


class _Composer:
    def __init__(
        self, spec: WebSpec, site: Site, slot: int, rng: random.Random, links: _Links
    ) -> None:
        self.spec = spec
        self.site = site
        self.slot = slot
        self.rng = rng
        self.links = links
        self.nouns = spec.theme.nouns

    def template(
        self,
    ) -> tuple[LinkSpec, tuple[LinkSpec, ...], tuple[SidebarBox, ...], tuple[LinkSpec, ...]]:
        spec, site, links = self.spec, self.site, self.links
        (logo,) = links.template(site.base, site.name, Placement.HEADER, LinkKind.TEMPLATE)
        nav = links.template(site.base, "Home", Placement.NAVIGATION, LinkKind.TEMPLATE)
        menu = [3 + i for i in range(len(site.categories))]
        menu += [site.first_item + i for i in range(len(site.keywords))]
        for target in menu:
            nav += links.template(
                spec.url_of(site, target),
                spec.title_of(site, target),
                Placement.NAVIGATION,
                LinkKind.TEMPLATE,
            )
        nav += links.template(site.url("/about/"), "About", Placement.NAVIGATION, LinkKind.TEMPLATE)
        sidebar: list[SidebarBox] = []
        if site.role not in (SiteRole.FARM, SiteRole.DIRECTORY, SiteRole.SPAM):
            recent: list[LinkSpec] = []
            for target in spec.latest(site, PageKind.ARTICLE, _RECENT):
                recent += links.template(
                    spec.url_of(site, target),
                    spec.title_of(site, target),
                    Placement.SIDEBAR,
                    LinkKind.TEMPLATE,
                )
            sidebar.append(SidebarBox("Recent posts", tuple(recent)))
        if site.tag_every:
            tags: list[LinkSpec] = []
            for target in spec.earliest(site, PageKind.TAG, _TAGS_SHOWN):
                tags += links.template(
                    spec.url_of(site, target),
                    spec.title_of(site, target).removeprefix("Posts tagged "),
                    Placement.SIDEBAR,
                    LinkKind.TEMPLATE,
                )
            sidebar.append(SidebarBox("Popular tags", tuple(tags)))
        if site.blogroll:
            friends: list[LinkSpec] = []
            for planned in site.blogroll:
                friends += links.template(
                    planned.target, planned.anchor, Placement.SIDEBAR, planned.kind
                )
            sidebar.append(SidebarBox("Friends", tuple(friends)))
        footer = links.template(
            site.url("/about/"), "About us", Placement.FOOTER, LinkKind.TEMPLATE
        )
        footer += links.template(
            site.url("/contact/"), "Contact", Placement.FOOTER, LinkKind.TEMPLATE
        )
        for target in spec.earliest(site, PageKind.PRIVATE, 1):
            footer += links.template(
                spec.url_of(site, target), "Members area", Placement.FOOTER, LinkKind.TEMPLATE
            )
        for planned in site.footer_links:
            made = links.add(
                planned.target,
                planned.anchor,
                Placement.FOOTER,
                planned.kind,
                rel=planned.rel,
                is_sitewide=True,
            )
            footer += [] if made is None else [made]
        return logo, tuple(nav), tuple(sidebar), tuple(footer)

    def content(
        self, kind: PageKind
    ) -> tuple[tuple[tuple[Segment, ...], ...], tuple[ListingItem, ...], tuple[Comment, ...], str]:
        spec, site, rng = self.spec, self.site, self.rng
        if kind is PageKind.HOME:
            intro = self.plain(rng.randint(1, 2))
            shown = [site.first_item + i for i in range(len(site.keywords))]
            shown += spec.latest(site, PageKind.ARTICLE, _LISTED)
            return intro, self.listing(shown), (), ""
        if kind in (PageKind.ABOUT, PageKind.CONTACT, PageKind.PRIVATE):
            return self.plain(2), (), (), ""
        if kind is PageKind.CATEGORY:
            category = site.categories[self.slot - 3]
            shown = spec.latest(site, PageKind.ARTICLE, 15, category=category)
            return self.plain(1), self.listing(shown), (), ""
        if kind is PageKind.TAG:
            shown = [spec.random_slot(rng, site, PageKind.ARTICLE) for _ in range(5)]
            return self.plain(1), self.listing(shown), (), ""
        if kind is PageKind.KEYWORD:
            others = [site.first_item + i for i in range(len(site.keywords))]
            other = rng.choice([slot for slot in others if slot != self.slot])
            internal = PlannedLink(
                spec.url_of(site, other), spec.title_of(site, other).lower(), kind=LinkKind.INTERNAL
            )
            return self.prose(rng.randint(3, 4), [internal]), (), (), ""
        return self.article()

    def article(
        self,
    ) -> tuple[tuple[tuple[Segment, ...], ...], tuple[ListingItem, ...], tuple[Comment, ...], str]:
        spec, site, rng = self.spec, self.site, self.rng
        if site.role is SiteRole.FARM:
            return self.plain(1), self.outbound(FARM_LINKS, LinkKind.FARM), (), ""
        if site.role is SiteRole.DIRECTORY:
            return self.plain(1), self.outbound(DIRECTORY_LINKS, LinkKind.DIRECTORY), (), ""
        planned = list(spec.planned.get((site.index, self.slot), ()))
        for _ in range(rng.randint(1, 2)):
            other = spec.random_slot(rng, site, PageKind.ARTICLE)
            planned.append(
                PlannedLink(
                    spec.url_of(site, other),
                    spec.title_of(site, other).lower(),
                    kind=LinkKind.INTERNAL,
                )
            )
        if site.role is SiteRole.SPAM:
            other_site = rng.choice(spec.sites_with(SiteRole.SPAM))
            anchor = rng.choice(_SPAM_ANCHORS).format(rng.choice(spec.theme.keywords))
            planned.append(PlannedLink(other_site.base, anchor, kind=LinkKind.SPAM))
        rng.shuffle(planned)
        body = self.prose(max(4, len(planned) + 1), planned)
        is_guest = (site.index, self.slot) in spec.guest_posts
        byline = f"{'Guest post by' if is_guest else 'By'} {person(rng)}"
        has_comments = site.role in (SiteRole.EDITORIAL, SiteRole.PBN)
        comments = self.comments(rng.choice((0, 1, 2, 3, 4))) if has_comments else ()
        return body, (), comments, byline

    def plain(self, count: int) -> tuple[tuple[Segment, ...], ...]:
        return tuple(
            (paragraph(self.rng, self.nouns, sentences=self.rng.randint(3, 5)),)
            for _ in range(count)
        )

    def prose(self, count: int, planned: list[PlannedLink]) -> tuple[tuple[Segment, ...], ...]:
        rng = self.rng
        blocks: list[list[Segment]] = [
            [paragraph(rng, self.nouns, sentences=rng.randint(2, 4)) + " "] for _ in range(count)
        ]
        for index, link in enumerate(planned):
            block = blocks[index % count]
            made = self.links.add(
                link.target, link.anchor, Placement.CONTENT, link.kind, rel=link.rel
            )
            block += [f"{rng.choice(_LEADS)} ", made or link.anchor, f" {rng.choice(_TAILS)}. "]
        for block in blocks:
            block.append(sentence(rng, self.nouns))
        return tuple(tuple(block) for block in blocks)

    def listing(self, slots: list[int]) -> tuple[ListingItem, ...]:
        items: list[ListingItem] = []
        for target in slots:
            made = self.links.add(
                self.spec.url_of(self.site, target),
                self.spec.title_of(self.site, target),
                Placement.CONTENT,
                LinkKind.LISTING,
            )
            if made is not None:
                items.append(ListingItem(made, sentence(self.rng, self.nouns)))
        return tuple(items)

    def outbound(self, bounds: tuple[int, int], kind: LinkKind) -> tuple[ListingItem, ...]:
        spec, rng = self.spec, self.rng
        others = [site for site in spec.sites if site.index != self.site.index]
        items: list[ListingItem] = []
        for _ in range(rng.randint(*bounds)):
            site = rng.choice(others)
            if kind is LinkKind.DIRECTORY and rng.random() < 0.5:
                target, anchor = site.base, site.name
            else:
                slot = rng.randrange(site.pages)
                target = spec.url_of(site, slot)
                anchor = rng.choice(
                    (spec.title_of(site, slot), rng.choice(spec.theme.keywords), site.name)
                )
            made = self.links.add(target, anchor, Placement.CONTENT, kind)
            if made is not None:
                items.append(ListingItem(made, sentence(rng, self.nouns)))
        return tuple(items)

    def comments(self, count: int) -> tuple[Comment, ...]:
        spec, rng = self.spec, self.rng
        spam_sites = spec.sites_with(SiteRole.SPAM)
        made: list[Comment] = []
        for _ in range(count):
            author = person(rng)
            author_link = None
            if rng.random() < 0.45:
                rel = rng.choices([r for r, _ in _COMMENT_RELS], [w for _, w in _COMMENT_RELS])[0]
                author_link = self.links.add(
                    rng.choice(spam_sites).base,
                    author,
                    Placement.COMMENT,
                    LinkKind.COMMENT_SPAM,
                    rel=rel,
                )
            body: list[Segment] = [sentence(rng, self.nouns) + " "]
            if rng.random() < 0.2:
                spam = rng.choice(spam_sites)
                slot = spec.random_slot(rng, spam, PageKind.ARTICLE)
                anchor = rng.choice(_SPAM_ANCHORS).format(rng.choice(spec.theme.keywords))
                link = self.links.add(
                    spec.url_of(spam, slot),
                    anchor,
                    Placement.COMMENT,
                    LinkKind.COMMENT_SPAM,
                    rel="ugc nofollow",
                )
                body += ["Check ", link or anchor, " for more. "]
            body.append(sentence(rng, self.nouns))
            made.append(Comment(author, author_link, tuple(body)))
        return tuple(made)
