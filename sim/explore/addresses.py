"""Dask scheduler addresses: read and checked before anything runs, then reached briefly.

`--scheduler` takes `tcp://host:port` or `tls://host:port` (a host name, an IPv4 address or
`[an IPv6 address]`, and a port 1-65535). Anything else (another scheme, a missing port, a
stray path) is refused before the scenario is compiled. :func:`reach` then proves, within the
connect timeout (default 10 s), that a Dask scheduler answers there: the host resolves, the
port accepts a connection, and the peer replies to Dask's identity call as a scheduler. Each
step that fails says which, so a dead address is a message in about a second (a refused port
at once), never a hang or a traceback.

`tls://` needs Dask's TLS settings (a CA file, the client's certificate and key) in Dask's
configuration, e.g. `DASK_DISTRIBUTED__COMM__TLS__CA_FILE`, `..._TLS__CLIENT__CERT` and
`..._TLS__CLIENT__KEY`; without them the address is refused with that hint.
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import socket
import threading
from dataclasses import dataclass
from typing import Any

SCHEMES = ("tcp", "tls")
CONNECT_TIMEOUT = 10.0
"""Seconds to reach a scheduler (`--connect-timeout`)."""
MAX_TIMEOUT = 3600.0


class BadAddress(ConnectionError):
    """A scheduler address that cannot be used: malformed, or no scheduler answers there."""


@dataclass(frozen=True)
class Scheduler:
    """A Dask scheduler's address, and how long to try reaching it."""

    scheme: str
    host: str
    port: int
    timeout: float = CONNECT_TIMEOUT

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def parse_scheduler(text: str, timeout: float = CONNECT_TIMEOUT) -> Scheduler:
    """The scheduler at `text` (`tcp://host:port` or `tls://host:port`), or BadAddress."""
    expected = "expected tcp://host:port or tls://host:port"

    def bad(why: str) -> BadAddress:
        return BadAddress(f"--scheduler {text!r}: {why}; {expected}")

    if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise BadAddress(
            f"--connect-timeout {timeout}: give a number of seconds up to {MAX_TIMEOUT:g}"
        )
    scheme, sep, rest = text.partition("://")
    if not sep:
        raise bad("no scheme")
    if scheme.lower() not in SCHEMES:
        raise bad(f"{scheme}:// is not supported")
    if "@" in rest:
        raise bad("a user name is not part of a scheduler address")
    if rest.startswith("["):  # [IPv6]:port
        host, bracket, port = rest[1:].partition("]")
        if not bracket or not port.startswith(":"):
            raise bad("an [IPv6 address] needs its closing bracket and a port")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise bad(f"{host!r} in brackets is not an IPv6 address") from None
        port = port[1:]
    else:
        host, colon, port = rest.rpartition(":")
        if not colon:
            raise bad("no port")
        if ":" in host:
            raise bad("an IPv6 address needs brackets, as in tcp://[::1]:8786")
    if "/" in port or "?" in port or "#" in port:
        raise bad("a path after the port is not supported")
    if not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        raise bad("the port must be a number 1-65535")
    if not host or any(c.isspace() or c in "/?#[]" for c in host):
        raise bad("no host name")
    if ":" not in host:
        try:
            host.encode("idna")  # each label 1-63 characters
        except UnicodeError:
            raise bad(f"{host!r} is not a valid host name") from None
    return Scheduler(scheme.lower(), host, int(port), timeout)


def connection_args(scheduler: Scheduler) -> dict[str, Any]:
    """Dask's connection arguments for this address, from Dask's configuration."""
    from distributed.security import Security

    try:
        args: dict[str, Any] = Security().get_connection_args("client")
    except (OSError, ValueError, RuntimeError, ImportError) as error:  # e.g. a missing CA file
        raise BadAddress(f"--scheduler {scheduler}: Dask's TLS settings: {error}") from None
    if scheduler.scheme == "tls" and args.get("ssl_context") is None:
        raise BadAddress(
            f"--scheduler {scheduler}: tls:// needs Dask's TLS settings (a CA file and the "
            "client's certificate and key: DASK_DISTRIBUTED__COMM__TLS__CA_FILE, "
            "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT, DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY)"
        )
    return args


def reach(scheduler: Scheduler) -> dict[str, Any]:
    """Prove a Dask scheduler answers at `scheduler` within its timeout, or BadAddress.

    Returns the connection arguments to open a client with."""
    args = connection_args(scheduler)
    where = f"cannot reach the Dask scheduler at {scheduler}"
    try:
        resolve(scheduler.host, scheduler.timeout)  # a hanging name service is bounded too
        with socket.create_connection((scheduler.host, scheduler.port), scheduler.timeout):
            pass
    except socket.gaierror as error:
        raise BadAddress(f"{where}: no such host ({error.strerror})") from None
    except TimeoutError as error:
        said = str(error) or f"no answer within {scheduler.timeout:g} s"
        raise BadAddress(f"{where}: {said}") from None
    except OSError as error:
        raise BadAddress(f"{where}: {error.strerror or error}") from None
    except UnicodeError:
        raise BadAddress(f"{where}: {scheduler.host!r} is not a valid host name") from None
    try:
        identity = asyncio.run(_identity(str(scheduler), args, scheduler.timeout))
    except (OSError, TimeoutError) as error:
        said = f" ({error})" if str(error) else ""
        raise BadAddress(
            f"{where}: something listens there, but no Dask scheduler answered within "
            f"{scheduler.timeout:g} s{said}"
        ) from None
    except Exception as error:  # a peer that speaks another protocol: garbage as a frame
        raise BadAddress(
            f"{where}: the peer there is not a Dask scheduler ({type(error).__name__})"
        ) from None
    if not isinstance(identity, dict) or identity.get("type") != "Scheduler":
        raise BadAddress(f"{where}: the peer there is not a Dask scheduler")
    return args


def resolve(host: str, timeout: float) -> None:
    """Look `host` up within `timeout` seconds: socket.gaierror if it does not resolve,
    TimeoutError if the name service does not answer in time. The lookup runs in a daemon
    thread, as getaddrinfo takes no timeout (a thread left waiting does not delay exit)."""
    found: list[BaseException | None] = []

    def look() -> None:
        try:
            socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
            found.append(None)
        except BaseException as error:  # handed to the caller
            found.append(error)

    thread = threading.Thread(target=look, name="resolve", daemon=True)
    thread.start()
    thread.join(timeout)
    if not found:
        raise TimeoutError(f"the name service did not answer within {timeout:g} s")
    if found[0] is not None:
        raise found[0]


async def _identity(address: str, args: dict[str, Any], timeout: float) -> Any:
    from distributed.core import rpc

    async with rpc(address, timeout=timeout, connection_args=args) as peer:
        return await asyncio.wait_for(peer.identity(), timeout)
