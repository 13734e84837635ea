"""Use case: the disavow file of a target: the equity it removes, writing it, checking one.

What a disavow removes
    Google ignores the links from the disavowed domains and pages to the
    site the file is for. Here that is every followed live link from a page
    an entry covers (a page on the domain or its subdomains, or the exact
    URL) to a page on the target's registrable domains, removed from the
    graph ``linkequity rank`` ranks (``services.ranked_graph``); the loss of
    the target's PageRank is exact (``graph.influence.removal_loss``: one
    solve on the graph without those links). ``links_to="anywhere"`` removes
    every followed link of those pages instead, as if they linked nowhere:
    not what Google does, and not even a loss in general, as a page without
    links spreads its rank over every page, the target's included (on the
    sample web, its spam "removes" -0.0088 of the target's 0.276 that way,
    against 0.061 for its links to the site). Pages on the target's own
    domains are never sources: a site's own links are not backlinks.

    Each entry's own loss is the loss were it the only entry; losses do not
    add up (two entries on one path share the rank they carry). At domain
    level, a domain-graph edge goes when no page of its source domain keeps
    a followed link to the target's domains; the loss is exact on the
    domain graph as ``linkequity tiers`` ranks it.

Entries come from the user for now (``--domains``); the toxicity scorer will
propose them the same way, as ``DisavowEntry`` values with reasons.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from linkequity.errors import UsageError
from linkequity.graph import LinkGraph, pagerank, removal_loss
from linkequity.model.urls import registrable_domain
from linkequity.report.disavow import (
    DisavowDiff,
    DisavowEntry,
    DisavowLint,
    LintProblem,
    diff_disavow,
    lint_disavow,
    parse_entry_list,
    write_disavow,
)
from linkequity.services.project import open_existing
from linkequity.services.ranked_graph import RankedGraph, load_ranked_graph
from linkequity.services.targets import parse_target, resolve_snapshot, select_target_rows
from linkequity.services.toxicity import score_toxicity
from linkequity.sources.sniff import is_binary

if TYPE_CHECKING:
    from collections.abc import Sequence

    from linkequity.store import Store

__all__ = [
    "DisavowBuild",
    "DisavowCheckReport",
    "DisavowEquity",
    "DisavowRun",
    "EntryEquity",
    "LinksTo",
    "build_disavow",
    "check_disavow",
    "disavow_equity",
    "read_entries",
    "run_disavow",
]

LinksTo = Literal["site", "anywhere"]

Ids = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class EntryEquity:
    """What one entry of a disavow file removes, were it the only entry.

    Attributes
    ----------
    entry : DisavowEntry
        The entry.
    pages : int
        Pages of the store it covers that have a followed link it removes.
    links : int
        Followed links (distinct page pairs) it removes.
    loss : float
        The drop of the target's PageRank if only this entry is disavowed.
    share : float or None
        ``loss`` over the target's PageRank (None when that is 0).
    """

    entry: DisavowEntry
    pages: int
    links: int
    loss: float
    share: float | None

    def as_dict(self) -> dict[str, Any]:
        """Return the entry's figures as plain values."""
        return {
            "entry": self.entry.line,
            "reasons": list(self.entry.reasons),
            "pages": self.pages,
            "links": self.links,
            "loss": self.loss,
            "share": self.share,
        }


@dataclass(frozen=True, slots=True)
class DisavowEquity:
    """The equity a disavow file removes from a target.

    Attributes
    ----------
    snapshot_id : int
        The snapshot whose links were used.
    target : tuple of str
        The target as given.
    target_domains : tuple of str
        Its registrable domains (the site the file is for).
    links_to : str
        ``"site"``: links to the target's domains removed; ``"anywhere"``:
        every link of the disavowed pages.
    target_rank : float
        PageRank of the target's pages before.
    loss : float
        Its exact drop with every entry disavowed.
    relative_loss : float or None
        ``loss / target_rank``.
    domain_rank, domain_loss : float
        The same at domain level (the target's domains on the domain graph).
    domain_relative_loss : float or None
        ``domain_loss / domain_rank``.
    links_removed : int
        Followed links removed, all entries together.
    pages_matched : int
        Pages with a removed link.
    entries : tuple of EntryEquity
        Each entry with a removed link, largest loss first.
    unmatched : tuple of DisavowEntry
        Entries with no followed link to remove in this snapshot.
    """

    snapshot_id: int
    target: tuple[str, ...]
    target_domains: tuple[str, ...]
    links_to: LinksTo
    target_rank: float
    loss: float
    relative_loss: float | None
    domain_rank: float
    domain_loss: float
    domain_relative_loss: float | None
    links_removed: int
    pages_matched: int
    entries: tuple[EntryEquity, ...]
    unmatched: tuple[DisavowEntry, ...]

    def as_dict(self) -> dict[str, Any]:
        """Return everything as plain values, for JSON output."""
        return {
            "snapshot_id": self.snapshot_id,
            "target": list(self.target),
            "target_domains": list(self.target_domains),
            "links_to": self.links_to,
            "target_rank": self.target_rank,
            "loss": self.loss,
            "relative_loss": self.relative_loss,
            "domain_rank": self.domain_rank,
            "domain_loss": self.domain_loss,
            "domain_relative_loss": self.domain_relative_loss,
            "links_removed": self.links_removed,
            "pages_matched": self.pages_matched,
            "entries": [entry.as_dict() for entry in self.entries],
            "unmatched": [entry.line for entry in self.unmatched],
        }


@dataclass(frozen=True, slots=True)
class DisavowCheckReport:
    """A disavow file linted, and compared with proposed entries when given.

    Attributes
    ----------
    path : pathlib.Path
        The file.
    lint : DisavowLint
        Its problems and entries.
    diff : DisavowDiff or None
        Its entries against the proposed ones.
    equity : DisavowEquity or None
        What its entries remove from the target, when a project and target were given.
    """

    path: Path
    lint: DisavowLint
    diff: DisavowDiff | None
    equity: DisavowEquity | None

    def as_dict(self) -> dict[str, Any]:
        """Return everything as plain values, for JSON output."""
        lint = self.lint
        return {
            "file": str(self.path),
            "lines": lint.lines,
            "size_bytes": lint.size_bytes,
            "entries": len(lint.entries),
            "errors": len(lint.errors),
            "warnings": len(lint.warnings),
            "problems": [_problem_dict(problem) for problem in lint.problems],
            "diff": None
            if self.diff is None
            else {
                "added": [entry.line for entry in self.diff.added],
                "removed": [entry.line for entry in self.diff.removed],
                "kept": [entry.line for entry in self.diff.kept],
            },
            "equity": None if self.equity is None else self.equity.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class DisavowBuild:
    """A disavow file written, and the equity it removes.

    Attributes
    ----------
    path : pathlib.Path
        The file written.
    entries : tuple of DisavowEntry
        The entries written, in file order (duplicates and covered entries dropped).
    lines, size_bytes : int
        The file's size, as Google counts it.
    equity : DisavowEquity
        What the entries remove from the target.
    problems : tuple of LintProblem
        What ``lint_disavow`` says of the file written: never an error, but
        warnings about entries as given (a URL ending in ``/``, say).
    """

    path: Path
    entries: tuple[DisavowEntry, ...]
    lines: int
    size_bytes: int
    equity: DisavowEquity
    problems: tuple[LintProblem, ...]

    def as_dict(self) -> dict[str, Any]:
        """Return everything as plain values, for JSON output."""
        return {
            "file": str(self.path),
            "entries": [entry.line for entry in self.entries],
            "lines": self.lines,
            "size_bytes": self.size_bytes,
            "equity": self.equity.as_dict(),
            "problems": [_problem_dict(problem) for problem in self.problems],
        }


@dataclass(frozen=True, slots=True)
class DisavowRun:
    """What ``linkequity disavow`` did: a file checked, a file written, the equity removed.

    Attributes
    ----------
    check : DisavowCheckReport or None
        The ``--check`` file linted (diffed against the entries given, with a target).
    written : DisavowBuild or None
        The file written with ``-o``.
    equity : DisavowEquity or None
        What the entries given remove from the target.
    """

    check: DisavowCheckReport | None
    written: DisavowBuild | None
    equity: DisavowEquity | None

    def as_dict(self) -> dict[str, Any]:
        """Return everything as plain values, for JSON output."""
        return {
            "check": None if self.check is None else self.check.as_dict(),
            "written": None if self.written is None else self.written.as_dict(),
            "equity": None if self.equity is None else self.equity.as_dict(),
        }


def run_disavow(
    target: list[str],
    *,
    db: Path,
    domains: Path | None = None,
    output: Path | None = None,
    check: Path | None = None,
    snapshot_id: int | None = None,
) -> DisavowRun:
    """Check a disavow file, measure what entries remove, write them: as the command asks.

    Parameters
    ----------
    target : list of str
        The site the file is for; empty to only lint ``check``.
    db : pathlib.Path
        The project file (used with a target only).
    domains : pathlib.Path, optional
        The domains and URLs to disavow, one a line (``read_entries``); by
        default, with a target, the toxic referring domains the audit finds
        (``proposed_entries``).
    output : pathlib.Path, optional
        Write the disavow file of those entries here.
    check : pathlib.Path, optional
        A disavow file to lint; with a target, its equity too, and its diff
        against the entries.
    snapshot_id : int, optional
        The snapshot; the latest by default.

    Returns
    -------
    DisavowRun
        The check, the file written and the equity, each None when not asked for.

    Raises
    ------
    UsageError
        If the arguments ask for nothing, or for a file without entries, or
        as for ``check_disavow``, ``build_disavow`` and ``disavow_equity``.

    Examples
    --------
    >>> run = run_disavow([], db=Path("p.duckdb"), check=Path("disavow.txt"))  # doctest: +SKIP
    """
    example = "linkequity disavow example.com --db P --domains spam.txt -o disavow.txt"
    if domains is not None and not target:
        raise UsageError("--domains needs TARGET: the site the disavow file is for", hint=example)
    if not target and check is None:
        raise UsageError(
            "nothing to do: give TARGET (and --domains FILE), or --check FILE", hint=example
        )
    if output is not None and not target:
        raise UsageError("-o needs TARGET: the site the disavow file is for", hint=example)
    proposed = None
    if domains is not None:
        proposed = read_entries(domains)
    elif target:
        proposed = proposed_entries(db, target, snapshot_id=snapshot_id)
    checked = None
    if check is not None:
        checked = check_disavow(
            check, db if target else None, target or None, proposed, snapshot_id=snapshot_id
        )
    written = None
    equity = None
    if target and proposed is not None:
        if output is not None:
            written = build_disavow(db, target, proposed, output, snapshot_id=snapshot_id)
            equity = written.equity
        else:
            equity = disavow_equity(db, target, proposed, snapshot_id=snapshot_id)
    return DisavowRun(check=checked, written=written, equity=equity)


def proposed_entries(
    db: Path, target: list[str], *, snapshot_id: int | None = None
) -> list[DisavowEntry]:
    """Return the disavow entries the audit proposes: the toxic referring domains, worst first.

    Each is a ``domain:`` entry whose comment lines are its toxicity score and
    reasons (``services.toxicity``).
    """
    report = score_toxicity(db, target, snapshot_id=snapshot_id)
    return [
        DisavowEntry(
            row["domain"],
            is_domain=True,
            reasons=(
                f"toxicity {row['score']:.0f}/100",
                *(reason["text"] for reason in row["reasons"]),
            ),
        )
        for row in report.domains
        if row["is_toxic"]
    ]


def read_entries(path: Path) -> list[DisavowEntry]:
    """Read a list of domains and URLs to disavow (or a disavow file), one a line.

    Raises
    ------
    UsageError
        If the file cannot be read, is not UTF-8, or a line is not a domain,
        ``domain:NAME`` or http(s) URL (naming the line).
    """
    raw = _read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UsageError(
            f"{path}: not UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start})",
            hint="Save the list as UTF-8 text, one domain or URL a line.",
        ) from err
    return parse_entry_list(text, str(path))


def disavow_equity(
    db: Path,
    target: list[str],
    entries: Sequence[DisavowEntry],
    *,
    snapshot_id: int | None = None,
    links_to: LinksTo = "site",
    damping: float = 0.85,
) -> DisavowEquity:
    """Compute the exact drop of a target's PageRank if the entries are disavowed.

    Parameters
    ----------
    db : pathlib.Path
        The project file.
    target : list of str
        A registrable domain, a host or URLs, as for ``linkequity tiers``.
    entries : sequence of DisavowEntry
        What is disavowed.
    snapshot_id : int, optional
        The snapshot; the latest by default.
    links_to : {"site", "anywhere"}, default "site"
        Remove the disavowed pages' links to the target's domains (what
        Google does), or all their links.
    damping : float, default 0.85
        PageRank damping.

    Returns
    -------
    DisavowEquity
        Page and domain level losses, and each entry's own loss.

    Raises
    ------
    StoreError
        If the project is missing, locked or not a store.
    UsageError
        If the store holds no followed link, the target is unknown or
        ``damping`` is out of range.
    InvalidUrl
        If a target cannot be read.
    NotConverged
        If a solve does not settle.

    Examples
    --------
    >>> spam = [DisavowEntry("spam.example", True)]
    >>> disavow_equity(Path("project.duckdb"), ["example.com"], spam).loss  # doctest: +SKIP
    """
    if not target:
        raise UsageError("no target given", hint="Give the domain the disavow file is for.")
    if not 0.0 < damping < 1.0:
        raise UsageError(
            f"damping must be between 0 and 1 (exclusive), got {damping}",
            hint="0.85 is the usual value.",
        )
    if links_to not in ("site", "anywhere"):
        raise UsageError(
            f"links_to must be 'site' or 'anywhere', got {links_to!r}",
            hint="'site' removes the links to the target's domains, as Google does.",
        )
    names, urls = parse_target(target)
    unique = list({(entry.is_domain, entry.value): entry for entry in reversed(entries)}.values())
    unique.reverse()
    with open_existing(db, read_only=True) as store:
        snapshot = resolve_snapshot(store, snapshot_id, db)
        target_rows = select_target_rows(store.target_pages(names, urls), names, urls, db)
        ranked = load_ranked_graph(store, snapshot, target_rows)
        if ranked.graph.n_edges == 0:
            raise UsageError(
                f"snapshot {snapshot} of {db} holds no followed link",
                hint="Import backlink exports, ingest archives or crawl into it first.",
            )
        sources = _entry_sources(store, unique, ranked)
    return _equity(
        ranked,
        unique,
        sources,
        snapshot_id=snapshot,
        target=tuple(target),
        links_to=links_to,
        damping=damping,
    )


def check_disavow(
    path: Path,
    db: Path | None = None,
    target: list[str] | None = None,
    proposed: Sequence[DisavowEntry] | None = None,
    *,
    snapshot_id: int | None = None,
) -> DisavowCheckReport:
    """Lint a disavow file; diff it against proposed entries; show what it removes.

    Parameters
    ----------
    path : pathlib.Path
        The disavow file.
    db : pathlib.Path, optional
        The project file; with ``target``, the equity the file's entries remove.
    target : list of str, optional
        The site the file is for.
    proposed : sequence of DisavowEntry, optional
        The entries the audit would write; the file is diffed against them.
    snapshot_id : int, optional
        The snapshot for the equity; the latest by default.

    Returns
    -------
    DisavowCheckReport
        Problems by line, the diff and the equity (None when not asked for).

    Raises
    ------
    UsageError
        If the file cannot be read, or only one of ``db`` and ``target`` is given.

    Examples
    --------
    >>> report = check_disavow(Path("disavow.txt"))  # doctest: +SKIP
    >>> [f"{p.line}: {p.message}" for p in report.lint.problems]  # doctest: +SKIP
    """
    raw = _read_bytes(path)
    lint = lint_disavow(raw, path.name)
    diff = None if proposed is None else diff_disavow(lint.entries, proposed)
    equity = None
    if target:
        if db is None:
            raise UsageError(
                "a target needs a project to measure the equity in", hint="Pass --db PATH."
            )
        equity = disavow_equity(db, target, lint.entries, snapshot_id=snapshot_id)
    return DisavowCheckReport(path=path, lint=lint, diff=diff, equity=equity)


def build_disavow(
    db: Path,
    target: list[str],
    entries: Sequence[DisavowEntry],
    output: Path,
    *,
    snapshot_id: int | None = None,
) -> DisavowBuild:
    """Write the disavow file of a target, atomically, and measure what it removes.

    The file is written to a temporary file beside ``output`` and renamed
    over it, so a failure never leaves half a file.

    Parameters
    ----------
    db : pathlib.Path
        The project file.
    target : list of str
        The site the file is for.
    entries : sequence of DisavowEntry
        What to disavow, with reasons.
    output : pathlib.Path
        The file to write (replaced); its name must end in ``.txt``.
    snapshot_id : int, optional
        The snapshot for the equity; the latest by default.

    Returns
    -------
    DisavowBuild
        The file, its entries and size, and the equity removed.

    Raises
    ------
    UsageError
        If there is no entry, ``output`` does not end in ``.txt`` or cannot
        be written, the file would be over Google's limits, or as for
        ``disavow_equity``.

    Examples
    --------
    >>> spam = [DisavowEntry("spam.example", True, ("link farm",))]
    >>> build_disavow(Path("p.duckdb"), ["example.com"], spam, Path("d.txt"))  # doctest: +SKIP
    """
    if not entries:
        raise UsageError("nothing to disavow", hint="Give the domains and URLs to disavow.")
    if output.suffix.lower() != ".txt":
        raise UsageError(
            f"{output}: Google takes only .txt disavow files", hint="Name it disavow.txt, say."
        )
    equity = disavow_equity(db, target, entries, snapshot_id=snapshot_id)
    header = [
        f"Disavow file for {', '.join(equity.target_domains)}, written by linkequity "
        f"from snapshot {equity.snapshot_id}.",
        "Upload it in Search Console (Disavow links); each entry's reasons are above it.",
    ]
    text = write_disavow(entries, header=header)
    data = text.encode("utf-8")
    _write_atomically(output, data)
    lint = lint_disavow(data, output.name)
    return DisavowBuild(
        path=output,
        entries=lint.entries,
        lines=lint.lines,
        size_bytes=lint.size_bytes,
        equity=equity,
        problems=lint.problems,
    )


def _read_bytes(path: Path) -> bytes:
    """Read a list or disavow file: refuse an empty file and one that is binary, not text."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise UsageError(
            f"cannot read {path}: {err.strerror or err}", hint="Check the path."
        ) from err
    if not raw.strip():
        raise UsageError(f"{path} is empty", hint="Write one domain (domain:NAME) or URL a line.")
    if is_binary(raw):
        raise UsageError(
            f"{path} is binary, not a text list of domains and URLs",
            hint="Pass the disavow file itself (UTF-8 text, one entry a line).",
        )
    return raw


def _write_atomically(output: Path, data: bytes) -> None:
    """Write *data* to a temporary file beside *output*, then rename it over *output*."""
    folder = output.parent if str(output.parent) else Path()
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{output.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        Path(temporary).replace(output)
        temporary = None
    except OSError as err:
        raise UsageError(
            f"cannot write {output}: {err.strerror or err}",
            hint="Check that the folder exists and is writable.",
        ) from err
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def _entry_sources(store: Store, entries: Sequence[DisavowEntry], ranked: RankedGraph) -> list[Ids]:
    """Return the node ids each entry covers, outside the target's domains."""
    domain_entry = {entry.value: i for i, entry in enumerate(entries) if entry.is_domain}
    url_entry = {entry.value: i for i, entry in enumerate(entries) if not entry.is_domain}
    names = sorted({registrable_domain(host) or host for host in domain_entry})
    found = store.target_pages(names, sorted(url_entry))
    covered: list[list[Any]] = [[] for _ in entries]
    for url_id, url, host in zip(
        found.column("url_id").to_pylist(),
        found.column("url").to_pylist(),
        found.column("host").to_pylist(),
        strict=True,
    ):
        if url in url_entry:
            covered[url_entry[url]].append(url_id)
        labels = str(host).split(".")
        for start in range(len(labels)):
            index = domain_entry.get(".".join(labels[start:]))
            if index is not None:
                covered[index].append(url_id)
    target_domains = ranked.target_domains
    sources = []
    for url_ids in covered:
        nodes = ranked.nodes_of(np.unique(np.asarray(url_ids, dtype=np.int64)))
        sources.append(nodes[~np.isin(ranked.domain_of_node[nodes], target_domains)])
    return sources


def _equity(
    ranked: RankedGraph,
    entries: Sequence[DisavowEntry],
    sources: Sequence[Ids],
    *,
    snapshot_id: int,
    target: tuple[str, ...],
    links_to: LinksTo,
    damping: float,
) -> DisavowEquity:
    graph, teleport, targets = ranked.graph, ranked.teleport, ranked.targets
    coo = graph.adjacency.tocoo()
    rows = coo.row.astype(np.int64)
    cols = coo.col.astype(np.int64)
    if links_to == "site":
        is_reachable = np.isin(ranked.domain_of_node[cols], ranked.target_domains)
    else:
        is_reachable = np.ones(rows.size, dtype=np.bool_)
    scores = pagerank(graph, damping=damping, teleport=teleport)
    target_rank = float(scores[targets].sum())

    def loss_of(removed: npt.NDArray[np.bool_]) -> float:
        if not removed.any():
            return 0.0
        return removal_loss(
            graph,
            targets,
            edges=(rows[removed], cols[removed]),
            scores=scores,
            damping=damping,
            teleport=teleport,
        )

    every_source = np.unique(np.concatenate([np.empty(0, np.int64), *sources]))
    all_removed = np.isin(rows, every_source) & is_reachable
    per_entry: list[EntryEquity] = []
    unmatched: list[DisavowEntry] = []
    for entry, nodes in zip(entries, sources, strict=True):
        removed = np.isin(rows, nodes) & is_reachable
        if not removed.any():
            unmatched.append(entry)
            continue
        loss = loss_of(removed)
        per_entry.append(
            EntryEquity(
                entry=entry,
                pages=int(np.unique(rows[removed]).size),
                links=int(removed.sum()),
                loss=loss,
                share=_share(loss, target_rank),
            )
        )
    per_entry.sort(key=lambda item: (-item.loss, not item.entry.is_domain, item.entry.value))
    loss = loss_of(all_removed)
    domain_rank, domain_loss = _domain_loss(ranked, rows, cols, all_removed, damping)
    return DisavowEquity(
        snapshot_id=snapshot_id,
        target=target,
        target_domains=tuple(ranked.domain_names[int(i)] for i in ranked.target_domains),
        links_to=links_to,
        target_rank=target_rank,
        loss=loss,
        relative_loss=_share(loss, target_rank),
        domain_rank=domain_rank,
        domain_loss=domain_loss,
        domain_relative_loss=_share(domain_loss, domain_rank),
        links_removed=int(all_removed.sum()),
        pages_matched=int(np.unique(rows[all_removed]).size),
        entries=tuple(per_entry),
        unmatched=tuple(unmatched),
    )


def _domain_loss(
    ranked: RankedGraph,
    rows: Ids,
    cols: Ids,
    removed: npt.NDArray[np.bool_],
    damping: float,
) -> tuple[float, float]:
    """Return the target's domain-level PageRank, and its drop without the removed links."""
    domains, teleport = ranked.domain_level()
    target_domains = ranked.target_domains
    rank = float(pagerank(domains, damping=damping, teleport=teleport)[target_domains].sum())
    if not removed.any():
        return rank, 0.0
    n = ranked.graph.n_nodes
    kept = LinkGraph.from_arrays(rows[~removed], cols[~removed], n)
    after = RankedGraph(
        kept,
        ranked.url_ids,
        ranked.domain_names,
        ranked.domain_of_node,
        ranked.targets,
        ranked.teleport,
    ).domain_level()[0]
    before_coo = domains.adjacency.tocoo()
    after_coo = after.adjacency.tocoo()
    n_domains = len(ranked.domain_names)
    before_keys = before_coo.row.astype(np.int64) * n_domains + before_coo.col
    after_keys = after_coo.row.astype(np.int64) * n_domains + after_coo.col
    gone = ~np.isin(before_keys, after_keys)
    if not gone.any():
        return rank, 0.0
    loss = removal_loss(
        domains,
        target_domains,
        edges=(before_coo.row[gone].astype(np.int64), before_coo.col[gone].astype(np.int64)),
        damping=damping,
        teleport=teleport,
    )
    return rank, loss


def _problem_dict(problem: LintProblem) -> dict[str, Any]:
    return {
        "line": problem.line,
        "severity": problem.severity,
        "code": problem.code,
        "message": problem.message,
    }


def _share(value: float, whole: float) -> float | None:
    return value / whole if whole > 0 else None
