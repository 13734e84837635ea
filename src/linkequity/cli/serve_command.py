"""``linkequity serve``: the local dashboard of a project, until Ctrl-C.

The command function is registered by ``cli.app``. It listens on 127.0.0.1
by default; any other address needs a token, which every request must then
carry (the printed URL holds it once; the browser keeps it in a cookie).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from linkequity.cli.options import DbOption  # noqa: TC001 - typer reads the annotations at run time
from linkequity.cli.render import safe_text, stdout
from linkequity.settings import load_settings

__all__ = ["serve_"]


def serve_(
    db: DbOption = None,
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Address to listen on; beyond loopback it needs --token", metavar="HOST"
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port", metavar="PORT")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="Access token every request must carry (16+ characters)",
            envvar="LINKEQUITY_DASHBOARD_TOKEN",
            metavar="T",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the dashboard of a project: audit, tiers, plan and the links table, live."""
    from linkequity.services.project import open_existing
    from linkequity.web.server import dashboard_server, dashboard_url

    settings = load_settings(flags={"store.db": db}).settings
    open_existing(settings.store.db, read_only=True).close()
    dashboard = dashboard_server(settings.store.db, host=host, port=port, token=token)
    stdout.print(
        Text(
            f"Dashboard of {safe_text(settings.store.db)} at "
            f"{dashboard_url(host, port, token)} (Ctrl-C stops it)"
        )
    )
    dashboard.server.run()
