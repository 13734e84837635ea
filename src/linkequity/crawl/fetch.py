"""The fetcher seam: what the crawler asks of whatever fetches its URLs.

A ``Fetcher`` does one GET and hands back the response as it came: it never
follows a redirect (the crawler records each hop and decides whether to go
on), undoes the content coding (gzip, deflate, br) while counting the decoded
bytes against its cap, and raises ``FetchFailed`` (``HostNotFound``,
``FetchTimedOut``, ``AddressRefused``) when no HTTP response came.
``http_fetcher.HttpFetcher`` is the real one (aiohttp); tests pass small fakes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from linkequity.model.records import FetchedPage

__all__ = ["FetchResult", "Fetcher"]


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One HTTP response, as the crawler keeps it.

    Attributes
    ----------
    page : FetchedPage
        ``url`` the URL asked for (normalised), ``status``, ``headers`` as
        received (``Content-Encoding`` included), ``body`` with the content
        coding undone, ``fetched_at`` when the response began.
    is_truncated : bool
        The decoded body reached the fetcher's size cap and was cut there.
    is_body_skipped : bool
        The content type is not one the fetcher reads: ``body`` is empty.
    address : str or None
        The IP address connected to, when known.
    elapsed_s : float
        Seconds from sending the request to the end of the body.
    """

    page: FetchedPage
    is_truncated: bool = False
    is_body_skipped: bool = False
    address: str | None = None
    elapsed_s: float = 0.0


class Fetcher(Protocol):
    """Fetches one URL without following redirects."""

    async def fetch(self, url: str, /) -> FetchResult:
        """Return the response to a GET of *url*.

        Raises
        ------
        FetchFailed
            If no HTTP response came; ``HostNotFound``, ``FetchTimedOut`` and
            ``AddressRefused`` say why when it is one of those.
        """
        ...

    async def aclose(self) -> None:
        """Release connections; the fetcher is not used after this."""
        ...
