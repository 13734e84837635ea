"""Write a sample web's WARC file and manifest, for developers.

Usage::

    python -m linkequity.samples.web --seed 1 --sites 20 [--pages N] \
        [--warc out.warc.gz] [--manifest out.json] [--serve]

``--serve`` serves the web on 127.0.0.1 until interrupted and prints the
address and the hosts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from linkequity.samples.web.generate import generate_web
from linkequity.samples.web.server import serve_web
from linkequity.samples.web.warc import write_warc


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m linkequity.samples.web")
    parser.add_argument("--seed", type=int, default=1, help="seed of the web")
    parser.add_argument("--sites", type=int, default=20, help="number of sites")
    parser.add_argument("--pages", type=int, default=None, help="pages across all sites")
    parser.add_argument("--warc", type=Path, help="write the web as a gzip WARC file here")
    parser.add_argument("--manifest", type=Path, help="write the ground-truth manifest here")
    parser.add_argument("--serve", action="store_true", help="serve on 127.0.0.1 until Ctrl-C")
    args = parser.parse_args(argv)
    try:
        web = generate_web(args.seed, sites=args.sites, pages=args.pages)
    except ValueError as err:
        parser.error(str(err))
    out = sys.stdout
    out.write(f"{len(web.sites)} sites, {web.page_count} pages, money site {web.target.base}\n")
    if args.manifest:
        with args.manifest.open("w", encoding="utf-8") as stream:
            stream.writelines(web.manifest_json())
        out.write(f"manifest: {args.manifest}\n")
    if args.warc:
        responses = write_warc(web, args.warc)
        out.write(f"warc: {args.warc} ({responses} responses)\n")
    if args.serve:
        with serve_web(web) as base:
            out.write(f"serving on {base}; send Host: one of\n  " + "\n  ".join(web.hosts) + "\n")
            out.flush()
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
