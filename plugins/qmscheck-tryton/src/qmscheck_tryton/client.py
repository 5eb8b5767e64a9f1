"""A small read-only client for Tryton's XML-RPC API, built on proteus' XML-RPC configuration.

It logs in once and uses the session after that (HTTP basic authentication would hash
the password on every call), bounds every call with a timeout, and turns every way the
server can fail into a :class:`qmscheck.errors.ConnectorError` that names the problem:
server unreachable, wrong database, login refused, module not activated.

Only ``search_read``, ``read`` and the login/logout calls are ever made.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import socket
import xmlrpc.client
from collections.abc import Iterator, Sequence
from typing import Any
from xml.parsers.expat import ExpatError

from qmscheck.api import ConnectorError

Record = dict[str, Any]
Domain = list[Any]

PAGE_SIZE = 500


class _Transport(xmlrpc.client.Transport):
    """HTTP transport with a timeout on every socket operation."""

    def __init__(self, timeout: float, headers: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(use_builtin_types=True, headers=headers)
        self._timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        connection = super().make_connection(host)
        connection.timeout = self._timeout
        return connection


class _SafeTransport(xmlrpc.client.SafeTransport):
    """HTTPS transport with a timeout on every socket operation."""

    def __init__(self, timeout: float, headers: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(use_builtin_types=True, headers=headers)
        self._timeout = timeout

    def make_connection(self, host: Any) -> http.client.HTTPSConnection:
        connection = super().make_connection(host)
        connection.timeout = self._timeout
        return connection


HTTP_PROBLEMS = {
    401: "login refused: wrong user or password",
    403: "access forbidden for this user",
    404: "database not found on this server (is the name right, and is trytond started with -d for it?)",
    405: "the URL does not lead to Tryton's RPC endpoint (check 'url')",
    429: "too many failed logins from this address; wait a few minutes before trying again",
    503: "the server is unavailable (maintenance or overload)",
}


class TrytonClient:
    """One session on one database of one Tryton server."""

    def __init__(self, url: str, database: str, user: str, password: str, timeout: float) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.database = database
        self.user = user
        self._password = password
        self.timeout = timeout
        self.context: dict[str, Any] = {}
        self._config: Any = None

    # --- connection -------------------------------------------------------------------

    @property
    def rpc_url(self) -> str:
        from urllib.parse import quote

        return f"{self.url}{quote(self.database, safe='')}/rpc/"

    @property
    def where(self) -> str:
        return f"tryton source {self.url}{self.database}"

    def _transport(self, headers: Sequence[tuple[str, str]] = ()) -> xmlrpc.client.Transport:
        kind = _SafeTransport if self.rpc_url.startswith("https:") else _Transport
        return kind(self.timeout, headers)

    def login(self) -> None:
        # Importing proteus.config registers Tryton's marshalling of dates, decimals and the like.
        from proteus import config as proteus_config

        server = xmlrpc.client.ServerProxy(self.rpc_url, transport=self._transport(), allow_none=True)
        answer = self._guard("logging in", lambda: server.common.db.login(self.user, {"password": self._password}))
        if not isinstance(answer, list | tuple) or len(answer) < 2:
            raise ConnectorError(f"{self.where}: unexpected answer to the login: {str(answer)[:200]}")
        user_id, session = answer[0], answer[1]
        token = base64.b64encode(f"{self.user}:{user_id}:{session}".encode()).decode("ascii")
        transport = self._transport([("Authorization", f"Session {token}")])
        self._config = self._guard(
            "reading the user's preferences",
            lambda: proteus_config.XmlrpcConfig(self.rpc_url, transport=transport),
        )
        self.context = {**self._config.context, "active_test": False}

    def close(self) -> None:
        """End the session; a failure here changes nothing for the scan."""
        if self._config is None:
            return
        with contextlib.suppress(OSError, xmlrpc.client.Error, http.client.HTTPException, ExpatError):
            self._config.server.common.db.logout()
        self._config = None

    def __enter__(self) -> TrytonClient:
        self.login()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- calls ------------------------------------------------------------------------

    def _guard(self, doing: str, call: Any) -> Any:
        try:
            return call()
        except xmlrpc.client.ProtocolError as exc:
            problem = HTTP_PROBLEMS.get(exc.errcode, f"the server answered HTTP {exc.errcode} {exc.errmsg}")
            if exc.errcode == 401:
                problem += f" for user '{self.user}'"
            raise ConnectorError(f"{self.where}: {problem} ({doing})") from None
        except xmlrpc.client.Fault as exc:
            message = str(exc.faultString).strip().splitlines()[0][:300] if exc.faultString else "unknown error"
            if "not allowed to" in message:
                raise ConnectorError(
                    f"{self.where}: user '{self.user}' may not do this ({doing}): {message.rstrip(' -:')}; "
                    "give the user a group with read access to it"
                ) from None
            raise ConnectorError(f"{self.where}: the server refused {doing}: {message}") from None
        except ConnectionRefusedError:
            raise ConnectorError(
                f"{self.where}: cannot reach the server: connection refused (is trytond running and is 'url' right?)"
            ) from None
        except socket.gaierror as exc:
            raise ConnectorError(f"{self.where}: cannot reach the server: host name not found ({exc})") from None
        except TimeoutError:
            raise ConnectorError(
                f"{self.where}: the server did not answer within {self.timeout:g} s ({doing}); raise 'timeout' "
                "or check the server"
            ) from None
        except (ExpatError, xmlrpc.client.ResponseError):
            raise ConnectorError(
                f"{self.where}: the answer is not XML-RPC ({doing}); is 'url' the Tryton server?"
            ) from None
        except http.client.HTTPException as exc:
            raise ConnectorError(f"{self.where}: the connection failed ({doing}): {type(exc).__name__}") from None
        except OSError as exc:
            raise ConnectorError(f"{self.where}: cannot reach the server: {exc}") from None

    def _proxy(self, model: str) -> Any:
        if self._config is None:
            raise RuntimeError("call login() first")
        return self._config.get_proxy(model)

    def search_read(self, model: str, domain: Domain, fields: Sequence[str]) -> list[Record]:
        """Every record matching ``domain``, by ascending id, read page by page."""
        return list(self.iter_search_read(model, domain, fields))

    def iter_search_read(self, model: str, domain: Domain, fields: Sequence[str]) -> Iterator[Record]:
        proxy = self._proxy(model)
        last_id = 0
        wanted = sorted({"id", *fields})
        while True:
            page_domain = [*domain, ("id", ">", last_id)]
            page = self._guard(
                f"reading {model}",
                lambda d=page_domain: proxy.search_read(d, 0, PAGE_SIZE, [("id", "ASC")], wanted, self.context),
            )
            if not isinstance(page, list):
                raise ConnectorError(f"{self.where}: unexpected answer reading {model}")
            yield from page
            if len(page) < PAGE_SIZE:
                return
            last_id = int(page[-1]["id"])

    def read(self, model: str, ids: Sequence[int], fields: Sequence[str]) -> list[Record]:
        """Records by id (those that exist and may be read), by ascending id."""
        if not ids:
            return []
        found: list[Record] = []
        unique = sorted(set(ids))
        for start in range(0, len(unique), PAGE_SIZE):
            chunk = unique[start : start + PAGE_SIZE]
            found += self.search_read(model, [("id", "in", chunk)], fields)
        return found

    def activated_modules(self, names: Sequence[str]) -> set[str]:
        rows = self.search_read("ir.module", [("name", "in", list(names)), ("state", "=", "activated")], ["name"])
        return {str(row["name"]) for row in rows}

    def require_modules(self, needs: dict[str, Sequence[str]]) -> None:
        """Fail with one clear message when a module a dataset needs is not activated."""
        wanted = sorted({module for modules in needs.values() for module in modules})
        missing = sorted(set(wanted) - self.activated_modules(wanted))
        if not missing:
            return
        uses = sorted(dataset for dataset, modules in needs.items() if set(modules) & set(missing))
        raise ConnectorError(
            f"{self.where}: Tryton module{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"not activated in database '{self.database}' (needed for {', '.join(uses)}); activate "
            f"{'them' if len(missing) > 1 else 'it'} or leave {', '.join(repr(u) for u in uses)} out of 'collect'"
        )
