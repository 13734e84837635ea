"""The one error tree of linkequity.

Every failure we expect and can explain is a ``LinkEquityError``; anything else
is a bug and keeps its traceback. Each class carries a ``hint``: the next thing
the user should do. The CLI prints ``error: <message>`` and the hint on one line
each and exits with status 2. A hint that names a command writes it with
``command_line``, so that it can be pasted into a shell as it is.

::

    LinkEquityError
    ├── UsageError               a flag, setting or argument that cannot work
    │   └── SettingsError        linkequity.toml or a LINKEQUITY_* variable is wrong
    ├── InvalidUrl               text that is not an http(s) URL we can normalise
    ├── UnreadablePage           a saved page that cannot be read
    ├── StoreError               the DuckDB project file
    │   ├── StoreLocked          another process holds the file
    │   ├── StoreCorrupt         not a linkequity store, or unreadable
    │   └── SchemaTooNew         written by a newer linkequity
    ├── ExportFileError          backlink export files
    │   ├── UnreadableExport     cannot be opened or decoded
    │   ├── UnknownExportFormat  header row matches no known export
    │   └── BadExportRow         one row that cannot be imported (skipped with a warning)
    ├── MissingExtra             an optional extra is not installed
    ├── UnreadableArchive        a file that is not a WARC or ARC file, or cannot be opened
    ├── NotConverged             an iterative score that did not settle (carries its last iterate)
    ├── NothingCrawled           a crawl that fetched no URL at all
    └── FetchFailed              a URL that gave no HTTP response (DNS, connection, timeout)
        ├── HostNotFound         DNS has no address for the host
        ├── FetchTimedOut        connect, read or the whole fetch took too long
        └── AddressRefused       the host resolves to a private, loopback or link-local address
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


def command_line(*words: object) -> str:
    """Return ``linkequity WORDS...`` as a hint writes it, each word quoted for a POSIX shell.

    >>> command_line("campaign", "add", "q3 outreach", "--db", "my project.duckdb")
    "linkequity campaign add 'q3 outreach' --db 'my project.duckdb'"
    """
    return shlex.join(["linkequity", *map(str, words)])


class LinkEquityError(Exception):
    """Base for failures we expect and explain; anything else is a bug."""

    hint = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class UsageError(LinkEquityError):
    """An argument, flag or setting that cannot work as given."""

    hint = "Run the command with --help to see what it accepts."


class SettingsError(UsageError):
    """A value in linkequity.toml or a LINKEQUITY_* environment variable is invalid."""

    hint = "Fix the value, or run `linkequity settings` to see every setting and its source."


class InvalidUrl(LinkEquityError):
    """Text that is not an absolute http(s) URL with a host."""

    hint = "Give an absolute http:// or https:// URL with a host, such as https://example.com/page."


class UnreadablePage(LinkEquityError):
    """A saved page (HTML, possibly gzipped) that cannot be opened or read."""

    hint = "Check the path; save the page as .html (or .html.gz) and try again."


class StoreError(LinkEquityError):
    """A failure of the DuckDB project file."""

    hint = (
        "Check the --db path; the file must be a linkequity project created by `linkequity import`."
    )


class StoreLocked(StoreError):
    """Another process holds the project file open for writing."""

    hint = "Another linkequity process holds the database; wait for it or close it, or pass --db."


class StoreCorrupt(StoreError):
    """The file is not a linkequity store or cannot be read."""

    hint = "Point --db at a linkequity project file, or a new path to create one."


class SchemaTooNew(StoreError):
    """The store was written by a newer linkequity than this one."""

    hint = "Upgrade linkequity (pip install -U linkequity) to open this project."


class ExportFileError(LinkEquityError):
    """A backlink export that cannot be imported."""

    hint = "Export the file again from the tool, as CSV with its header row."


class UnreadableExport(ExportFileError):
    """The file cannot be opened, or its bytes are not text in any encoding we sniff."""

    hint = "Check the path; save the export as UTF-8 or UTF-16 CSV and try again."


class UnknownExportFormat(ExportFileError):
    """The header row matches none of the export formats we know."""

    hint = (
        "Export from the tool's backlinks report with its original header row; "
        "`linkequity formats` lists what is recognised."
    )


class BadExportRow(ExportFileError):
    """One row of an export that cannot be imported; the rest of the file still is."""

    hint = "The row is skipped; fix it in the file and import again to add it."


class MissingExtra(LinkEquityError):
    """An optional dependency group is not installed."""

    hint = "Install the extra named in the message."


class UnreadableArchive(LinkEquityError):
    """A file given as a web archive that is not a WARC or ARC file, or cannot be opened."""

    hint = (
        "Give a WARC file (.warc, .warc.gz; Common Crawl WARC and WAT files included) "
        "or an ARC file (.arc, .arc.gz), and check the path."
    )


class NotConverged(LinkEquityError):
    """An iterative computation (PageRank, HITS) that did not reach its tolerance.

    Attributes
    ----------
    scores : numpy.ndarray
        The last iterate, indexed by node id; usable as an approximation or as
        the start of another run.
    iterations : int
        Rounds run.
    residual : float
        L1 change of the last round.
    """

    hint = "Raise max_iter or loosen tol; the last iterate is kept on the error as .scores."

    def __init__(
        self,
        message: str,
        *,
        scores: npt.NDArray[np.float64],
        iterations: int,
        residual: float,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.scores = scores
        self.iterations = iterations
        self.residual = residual


class NothingCrawled(LinkEquityError):
    """A crawl that ended without one URL fetched: every seed failed or was excluded."""

    hint = (
        "Check the seeds and the connection (the report lists each failure); "
        "private and loopback addresses need --allow-private."
    )


class FetchFailed(LinkEquityError):
    """A URL that gave no HTTP response: DNS, connection, TLS or timeout."""

    hint = "Check the URL and the connection, or save the page and pass the file instead."


class HostNotFound(FetchFailed):
    """A host that DNS has no address for."""

    hint = "Check the host name; a site that no longer resolves counts as gone."


class FetchTimedOut(FetchFailed):
    """A fetch whose connect, a read, or the whole of which took longer than allowed."""

    hint = "Try again later, or raise the timeouts (linkequity settings lists them)."


class AddressRefused(FetchFailed):
    """A URL whose host resolves to an address the crawler does not visit."""

    hint = (
        "The crawler visits public addresses only; pass --allow-private to crawl "
        "private, loopback or link-local addresses on purpose."
    )
