"""``porescope serve``: the local web app (registered on the main command by porescope/cli/__init__.py)."""

from __future__ import annotations

from typing import Optional

import typer

__all__ = ["register", "is_loopback"]


def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    # ipaddress and socket load here, not at import: every porescope command imports this module
    # to register 'serve' (socket alone is ~5-9 ms of `porescope ingredients`' start-up, issue 22).
    import ipaddress
    import socket

    h = host.strip("[]")
    if h.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(h, None))
        except (OSError, ValueError):
            return False


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``."""

    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", metavar="ADDRESS", help="Address to listen on. The default serves this computer only."),
        port: int = typer.Option(8000, "--port", min=1, max=65535, metavar="PORT", help="Port to listen on."),
        db: Optional[str] = typer.Option(None, "--db", metavar="URL_OR_FILE",
            help="History store: SQLite file or database URL (default: $PORESCOPE_DB_URL or the user data folder)."),
    ) -> None:
        """Start the local web app: analyze photos, build a routine, check labels, follow your history.

        Open the address it prints in a browser. Photos stay on this computer.
        """
        import uvicorn
        from rich.console import Console
        from rich.markup import escape

        from porescope.web import create_app

        err = Console(stderr=True)
        local = is_loopback(host)
        if not local:
            err.print(
                f"[bold yellow]warning:[/] listening on {escape(host)}, which other machines on the network can reach. "
                "Anyone who can reach it can see and upload photos and read and delete the history (there is no login). "
                "Use the default 127.0.0.1 unless you mean this.",
                highlight=False, soft_wrap=True,
            )
        web = create_app(db_url=db, allowed_hosts=_loopback_names(host) if local else None)
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else (f"[{host}]" if ":" in host else host)
        err.print(f"porescope web app on http://{shown}:{port}/  (Ctrl+C to stop)", highlight=False, markup=False)
        uvicorn.run(web, host=host, port=port, log_level="warning")


def _loopback_names(host: str) -> tuple[str, ...]:
    from porescope.web.security import LOOPBACK_HOSTS

    return tuple(dict.fromkeys((*LOOPBACK_HOSTS, host.strip("[]").lower())))
