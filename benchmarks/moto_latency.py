"""A moto_server that waits a fixed time before answering each request, as a remote API does.

POST /_bench/latency with the seconds as the body sets the wait (0: off). The
server is threaded, so waits overlap like network round trips; moto's own work
still holds its GIL. Used by org.py.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

_LATENCY = [0.0]


def _slowed(original: Any) -> Any:
    def call(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/_bench/latency":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            _LATENCY[0] = float(environ["wsgi.input"].read(length) or 0)
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        if _LATENCY[0]:
            time.sleep(_LATENCY[0])
        return original(self, environ, start_response)

    return call


def serve() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication
    from moto.server import main

    DomainDispatcherApplication.__call__ = _slowed(DomainDispatcherApplication.__call__)  # type: ignore[method-assign]
    main(sys.argv[1:])


def launcher(directory: Path) -> str:
    """An executable that starts the slowed moto_server (MotoServer takes an executable's path)."""
    script = directory / "moto_server_latency"
    script.write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "from moto_latency import serve\nserve()\n"
    )
    script.chmod(0o755)
    return str(script)
