"""Campaigns: the prospects of a link-building plan, their status, and which changes are allowed.

A *prospect* is one link somebody means to earn: the page that should carry
it (``source``), the page it should point to (``target``), the anchor
suggested and the gain predicted when it was planned. People work prospects
by hand (linkequity never sends anything); ``campaign verify`` fetches the
source pages and says what is really there.

Statuses and who may change them
--------------------------------
``new``
    Stored, nobody has written yet.
``contacted``, ``replied``, ``agreed``
    Outreach by hand, in that order or skipping steps.
``declined``
    The site said no.
``live``
    The link is on the page (verification saw it, or a person did and said so).
``lost``
    A live link that went away (verification saw that, or a person did and said so).

By hand (``campaign update``):

==========  ============================================  ==============
from        to                                            note required
==========  ============================================  ==============
new         contacted, declined                           no
contacted   replied, agreed, declined                     no
replied     contacted, agreed, declined                   no
agreed      contacted, declined                           no
declined    contacted                                     yes (why again)
lost        contacted                                     no
live        lost                                          yes (the reason)
any but     live                                          yes (where it
live                                                      was seen)
==========  ============================================  ==============

By verification: any status but ``live`` becomes ``live`` when the link is
on the page (a fact beats a status: a site that declined may link anyway),
and ``live`` becomes ``lost`` when it is gone, with the reason. Nothing else
is ever changed by a verification. Staying in the same status is no change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ORIGINS",
    "STATUSES",
    "ChangeBy",
    "ProspectOrigin",
    "ProspectStatus",
    "transition_error",
]


class ProspectStatus(StrEnum):
    """Where a prospect stands; see the module docstring."""

    NEW = "new"
    CONTACTED = "contacted"
    REPLIED = "replied"
    AGREED = "agreed"
    LIVE = "live"
    LOST = "lost"
    DECLINED = "declined"


class ProspectOrigin(StrEnum):
    """The recommendation a prospect came from."""

    PLAN = "plan"
    INTERNAL = "internal"
    BROKEN = "broken"
    RECLAIM = "reclaim"
    CSV = "csv"


class ChangeBy(StrEnum):
    """Who changes a status: a person by hand, or a verification."""

    HAND = "hand"
    VERIFY = "verify"


#: Every status, funnel order.
STATUSES: tuple[ProspectStatus, ...] = tuple(ProspectStatus)
#: Every origin.
ORIGINS: tuple[ProspectOrigin, ...] = tuple(ProspectOrigin)

_S = ProspectStatus


@dataclass(frozen=True, slots=True)
class _Rule:
    to: frozenset[ProspectStatus]
    needs_note: frozenset[ProspectStatus] = frozenset()


_BY_HAND: dict[ProspectStatus, _Rule] = {
    _S.NEW: _Rule(frozenset({_S.CONTACTED, _S.DECLINED})),
    _S.CONTACTED: _Rule(frozenset({_S.REPLIED, _S.AGREED, _S.DECLINED})),
    _S.REPLIED: _Rule(frozenset({_S.CONTACTED, _S.AGREED, _S.DECLINED})),
    _S.AGREED: _Rule(frozenset({_S.CONTACTED, _S.DECLINED})),
    _S.DECLINED: _Rule(frozenset({_S.CONTACTED}), frozenset({_S.CONTACTED})),
    _S.LOST: _Rule(frozenset({_S.CONTACTED})),
    _S.LIVE: _Rule(frozenset({_S.LOST}), frozenset({_S.LOST})),
}


def transition_error(
    old: ProspectStatus, new: ProspectStatus, *, by: ChangeBy, note: str | None = None
) -> str | None:
    """Return why the change ``old -> new`` is refused, or ``None`` when it is allowed.

    The module docstring gives the table. A note is text with something
    besides whitespace.

    Parameters
    ----------
    old, new : ProspectStatus
        The status now and the one asked for (the same: no change, allowed).
    by : ChangeBy
        A person (``campaign update``) or a verification.
    note : str, optional
        The note that comes with the change.
    """
    if old == new:
        return None
    has_note = bool(note and note.strip())
    if by is ChangeBy.VERIFY:
        if new is _S.LIVE or (old is _S.LIVE and new is _S.LOST):
            return None
        return f"a verification only marks links live or lost, not {old} -> {new}"
    if new is _S.LIVE:
        if has_note:
            return None
        return "marking a link live by hand needs a note saying where it was seen"
    rule = _BY_HAND[old]
    if new not in rule.to:
        allowed = ", ".join(sorted(rule.to | ({_S.LIVE} if old is not _S.LIVE else set())))
        return f"{old} -> {new} is not allowed; from {old}: {allowed}"
    if new in rule.needs_note and not has_note:
        return f"{old} -> {new} needs a note (--note) saying why"
    return None
