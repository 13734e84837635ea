"""Every status change of a prospect, by hand and by verification, allowed or refused."""

from __future__ import annotations

import itertools

import pytest

from linkequity.model.campaigns import STATUSES, ChangeBy, ProspectStatus, transition_error

S = ProspectStatus

#: The changes a person may make without a note, written out one by one.
BY_HAND = {
    (S.NEW, S.CONTACTED),
    (S.NEW, S.DECLINED),
    (S.CONTACTED, S.REPLIED),
    (S.CONTACTED, S.AGREED),
    (S.CONTACTED, S.DECLINED),
    (S.REPLIED, S.CONTACTED),
    (S.REPLIED, S.AGREED),
    (S.REPLIED, S.DECLINED),
    (S.AGREED, S.CONTACTED),
    (S.AGREED, S.DECLINED),
    (S.LOST, S.CONTACTED),
}
#: The changes a person may make only with a note.
BY_HAND_WITH_NOTE = {
    (S.DECLINED, S.CONTACTED),
    (S.LIVE, S.LOST),
    (S.NEW, S.LIVE),
    (S.CONTACTED, S.LIVE),
    (S.REPLIED, S.LIVE),
    (S.AGREED, S.LIVE),
    (S.DECLINED, S.LIVE),
    (S.LOST, S.LIVE),
}
#: The changes a verification may make.
BY_VERIFY = {(old, S.LIVE) for old in STATUSES if old is not S.LIVE} | {(S.LIVE, S.LOST)}

CHANGES = [(old, new) for old, new in itertools.product(STATUSES, STATUSES) if old != new]


@pytest.mark.parametrize(("old", "new"), CHANGES)
def test_a_change_by_hand_without_a_note(old: ProspectStatus, new: ProspectStatus) -> None:
    refused = transition_error(old, new, by=ChangeBy.HAND)

    assert (refused is None) == ((old, new) in BY_HAND), refused


@pytest.mark.parametrize(("old", "new"), CHANGES)
def test_a_change_by_hand_with_a_note(old: ProspectStatus, new: ProspectStatus) -> None:
    refused = transition_error(old, new, by=ChangeBy.HAND, note="saw it on 3 May")

    assert (refused is None) == ((old, new) in BY_HAND | BY_HAND_WITH_NOTE), refused


@pytest.mark.parametrize(("old", "new"), CHANGES)
def test_a_change_by_verification(old: ProspectStatus, new: ProspectStatus) -> None:
    refused = transition_error(old, new, by=ChangeBy.VERIFY)

    assert (refused is None) == ((old, new) in BY_VERIFY), refused


@pytest.mark.parametrize("status", STATUSES)
def test_staying_in_a_status_is_no_change(status: ProspectStatus) -> None:
    assert transition_error(status, status, by=ChangeBy.HAND) is None
    assert transition_error(status, status, by=ChangeBy.VERIFY) is None


def test_a_blank_note_is_no_note() -> None:
    refused = transition_error(S.LIVE, S.LOST, by=ChangeBy.HAND, note="   ")

    assert refused is not None
    assert "note" in refused


def test_a_refusal_says_what_is_allowed() -> None:
    refused = transition_error(S.NEW, S.AGREED, by=ChangeBy.HAND)

    assert refused == "new -> agreed is not allowed; from new: contacted, declined, live"
