"""Scrapy's side of bench_crawl: crawl the sample web with robots on, one item per link.

Usage::

    python benchmarks/scrapy_sample_spider.py --seeds-file SEEDS --hosts-file HOSTS
        --feed LINKS.jsonl --stats STATS.json --address 127.0.0.1:PORT
        [--route resolve|proxy] [--concurrency 16] [--per-host 8] [--delay 0]
        [--max-pages N] [--max-depth N] [--jobdir DIR]

Scrapy's defaults, but for what both crawlers share: ``CONCURRENT_REQUESTS``,
``CONCURRENT_REQUESTS_PER_DOMAIN``, ``DOWNLOAD_DELAY``, ``DEPTH_LIMIT``,
``CLOSESPIDER_PAGECOUNT``; ``ROBOTSTXT_OBEY`` on; ``LOG_LEVEL`` INFO (at DEBUG,
the default, Scrapy logs every response and every item). A plain ``Spider``
runs ``LinkExtractor`` once per page: each link is an item of the JSON-lines
feed (Scrapy's equivalent of our store writes) and a request, which the
offsite middleware keeps to the sample web's hosts and the dupe filter to
URLs not seen.

The hosts are reached at their real URLs: ``--route resolve`` answers every
name with the server's address (``LoopbackResolver``) and needs the server on
port 80; ``--route proxy`` sends every request through the server as an HTTP
proxy (the request target in absolute form), where Scrapy keeps at most
``CONCURRENT_REQUESTS_PER_DOMAIN`` idle connections for all hosts together.
The crawl's stats are written to ``--stats`` as JSON when it closes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from scrapy.http import Response

#: Where ``LoopbackResolver`` sends every host name.
ADDRESS = "127.0.0.1"


class LoopbackResolver(CachingThreadedResolver):
    """Resolve every host name to ``ADDRESS``, as ``linkequity crawl --resolve-to`` does."""

    def getHostByName(self, name: str, timeout: Any = ()) -> defer.Deferred[str]:  # noqa: N802
        return defer.succeed(ADDRESS)


class SampleWebSpider(scrapy.Spider):
    """Follow every link within the sample web's hosts; one item per extracted link."""

    name = "sample_web"

    def __init__(self, *, seeds_file: str, hosts: list[str]) -> None:
        super().__init__()
        self.seeds_file = seeds_file
        self.allowed_domains = hosts
        self.link_extractor = LinkExtractor()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        with Path(self.seeds_file).open(encoding="utf-8") as seeds:
            for line in seeds:
                if url := line.strip():
                    yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[dict[str, Any] | scrapy.Request]:
        if not isinstance(response, scrapy.http.TextResponse):
            return
        source = response.url
        for link in self.link_extractor.extract_links(response):
            yield {
                "source": source,
                "target": link.url,
                "text": link.text,
                "nofollow": link.nofollow,
            }
            yield scrapy.Request(link.url, callback=self.parse)


def settings_for(args: argparse.Namespace, feed: Path) -> dict[str, Any]:
    """Return the settings that differ from Scrapy's defaults."""
    settings: dict[str, Any] = {
        "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "INFO",
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_host,
        "DOWNLOAD_DELAY": args.delay,
        "DEPTH_LIMIT": args.max_depth or 0,
        "CLOSESPIDER_PAGECOUNT": args.max_pages or 0,
        "FEEDS": {feed.as_uri(): {"format": "jsonlines", "encoding": "utf-8"}},
    }
    if args.route == "resolve":
        settings["DNS_RESOLVER"] = f"{__name__}.LoopbackResolver"
    if args.jobdir:
        settings["JOBDIR"] = args.jobdir
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds-file", required=True, help="start URLs, one a line")
    parser.add_argument("--hosts-file", required=True, help="allowed host names, one a line")
    parser.add_argument("--feed", type=Path, required=True, help="JSON-lines file of the links")
    parser.add_argument("--stats", type=Path, required=True, help="JSON file of the crawl's stats")
    parser.add_argument("--address", required=True, help="the server, ADDR:PORT")
    parser.add_argument("--route", choices=("resolve", "proxy"), default="proxy")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--per-host", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--max-pages", type=int, default=0)
    parser.add_argument("--max-depth", type=int, default=0)
    parser.add_argument("--jobdir", help="Scrapy's JOBDIR: the request queue on disk")
    args = parser.parse_args(argv)
    global ADDRESS
    ADDRESS, _, port = args.address.rpartition(":")
    if args.route == "resolve" and port != "80":
        parser.error("--route resolve reaches every host on port 80: serve there or use proxy")
    if args.route == "proxy":
        # HttpProxyMiddleware reads the environment, and so reaches robots.txt
        # requests too, which Request.meta["proxy"] on our requests would not.
        os.environ["http_proxy"] = f"http://{args.address}"
        os.environ.pop("no_proxy", None)
    hosts = Path(args.hosts_file).read_text(encoding="utf-8").split()
    process = CrawlerProcess(settings_for(args, args.feed.resolve()), install_root_handler=True)
    crawler = process.create_crawler(SampleWebSpider)
    process.crawl(crawler, seeds_file=args.seeds_file, hosts=hosts)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    args.stats.write_text(json.dumps(stats, default=str, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
