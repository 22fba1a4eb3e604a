"""The web app's guards: access token, cross-site form posts, upload type from content.

- Access token: required on every request when the server listens beyond
  loopback. Given once as ``?token=...`` (it is then kept in an HttpOnly
  cookie) or as ``Authorization: Bearer ...``.
- Cross-site requests: every POST carries a token equal to the ``runform_csrf``
  cookie (SameSite=Strict, so a page on another site can neither read nor send
  it): the ``csrf`` field of a small form, ``?csrf=`` on an upload (so the
  upload is never buffered to check it) or an ``X-CSRF-Token`` header. The
  cookie is one the server issued: a random id signed with the server's secret
  (kept in its data folder), so a cookie planted by another page on the same
  machine (cookies do not keep ports apart) is replaced, not believed. A POST
  whose Origin is another site, or ``null`` (a sandboxed page, a redirect from
  another site), is refused; one without an Origin (not a browser) still needs
  the signed token.
- Host names (DNS rebinding): a request must name the server by an address it
  answers to: loopback names, an IP address when it listens beyond loopback,
  the machine's own name then, or a name given with ``--allow-host``. A page on
  another site that has pointed its own name at this machine is refused, so the
  Origin check that follows compares against a Host the server trusts.
- Uploads: the kind of file is read from its bytes (``runform.sources.sniff``,
  as for every entry point), never from its name; ``BodyLimit`` counts an
  upload's bytes as they arrive, chunked or not, and stops it at the limit.
- Every page: a Content-Security-Policy (scripts only runform's own, by nonce),
  ``Cache-Control: no-store`` (health data stays out of shared caches), and the
  report opened in a sandbox (its own origin: no cookies, no access to the app;
  its one script, allowed by its hash, tells the session page its height).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import secrets
from urllib.parse import parse_qs

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from ...outputs.write import REPORT_SCRIPT

CSRF_COOKIE = "runform_csrf"
TOKEN_COOKIE = "runform_token"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


SMALL_FORM = 64 * 1024  # a form without a file: its cross-site token is read from the body
CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; media-src 'self' blob:; frame-ancestors 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'")
REPORT_CSP = ("sandbox allow-popups allow-scripts; default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
              f"script-src '{_script_hash(REPORT_SCRIPT)}'; frame-ancestors 'self'")


def host_name(host_header: str) -> str:
    """The name in a Host header, without its port ('[::1]:8765' -> '::1')."""
    h = host_header.strip().lower()
    if h.startswith("["):
        return h[1:h.find("]")] if "]" in h else h
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


def server_secret(data_dir) -> bytes:
    """The key the cross-site tokens are signed with: made once in the data folder (readable by
    its owner alone), so a restart keeps the open pages' tokens valid."""
    path = data_dir / "server.key"
    if not path.is_file():
        tmp = data_dir / f".server.key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
        try:
            os.link(tmp, path)  # never replaces a key another server made meanwhile
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_bytes()


def _same(a: str | None, b: str | None) -> bool:
    """Two tokens equal, in constant time; any text (a token with non-ASCII letters is just wrong)."""
    return a is not None and b is not None and hmac.compare_digest(a.encode("utf-8", "replace"),
                                                                   b.encode("utf-8", "replace"))


class Gate:
    """What every request must show, for the pages (``Guard``) and the live page's socket alike:
    a name the server answers to, its access token when it has one, and a cross-site token this
    server signed."""

    def __init__(self, token: str | None, names: frozenset[str] = frozenset(), beyond_loopback: bool = False,
                 secret: bytes | None = None):
        self.token, self.names, self.beyond_loopback = token, names | {"localhost"}, beyond_loopback
        self.secret = secret or secrets.token_bytes(32)

    def issued(self) -> str:
        """A new cross-site token: a random id and the server's signature of it."""
        sid = secrets.token_urlsafe(18)
        return f"{sid}.{self._sign(sid)}"

    def _sign(self, sid: str) -> str:
        return hmac.new(self.secret, sid.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]

    def genuine(self, cookie: str | None) -> str | None:
        """The cookie when this server issued it, else None."""
        sid, _, sig = (cookie or "").rpartition(".")
        return cookie if sid and _same(sig, self._sign(sid)) else None

    def known_host(self, name: str) -> bool:
        if name in self.names:
            return True
        try:
            ip = ipaddress.ip_address(name)
        except ValueError:
            return False
        return ip.is_loopback or self.beyond_loopback

    def admits(self, given: str | None) -> bool:
        """The access token given is this server's (or it has none)."""
        return not self.token or _same(given, self.token)

    def socket_refusal(self, headers, cookies) -> str | None:
        """Why a WebSocket may not open, or None: a browser always sends its page's Origin, which
        must be this server; its cookies must hold the access token and a cross-site token this
        server issued (SameSite=Strict: a page on another site cannot send them)."""
        host = headers.get("host", "")
        origin = headers.get("origin")
        if not self.known_host(host_name(host)):
            return "this server does not answer to that name"
        if not self.admits(cookies.get(TOKEN_COOKIE)):
            return "this server needs its access token"
        if origin is None or origin.split("://", 1)[-1].lower() != host.lower():
            return "the live page was not opened from runform's own page"
        if self.genuine(cookies.get(CSRF_COOKIE)) is None:
            return "reload the live page"
        return None


class Guard(BaseHTTPMiddleware):
    def __init__(self, app, gate: Gate):
        super().__init__(app)
        self.gate = gate

    async def dispatch(self, request: Request, call_next) -> Response:
        name = host_name(request.headers.get("host", ""))
        if not self.gate.known_host(name):
            return PlainTextResponse(f"runform: this server does not answer to the name '{name[:100]}'. Open it by "
                                     "the address it printed, or have whoever runs it add this name to the names it answers to.",
                                     status_code=421)
        set_token = False
        if self.gate.token:
            auth = request.headers.get("authorization", "")
            bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else None
            given = request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE) or bearer
            if not self.gate.admits(given):
                return PlainTextResponse("runform: this server needs its access token. Open the address it "
                                         "printed at start (…/?token=…).", status_code=401)
            set_token = request.query_params.get("token") is not None
        csrf = self.gate.genuine(request.cookies.get(CSRF_COOKIE))
        if request.method not in ("GET", "HEAD", "OPTIONS") and not await self._same_site(request, csrf):
            return PlainTextResponse("runform: this form was not sent from runform's own page "
                                     "(cross-site request refused). Reload the page and try again.", status_code=403)
        request.state.csrf = csrf or self.gate.issued()
        request.state.nonce = secrets.token_urlsafe(12)
        if set_token and request.method == "GET":  # the token leaves the address bar for a cookie
            response = RedirectResponse(str(request.url.remove_query_params("token")), status_code=303)
        else:
            response = await call_next(request)
        if not csrf:
            response.set_cookie(CSRF_COOKIE, request.state.csrf, httponly=True, samesite="strict")
        if set_token:
            response.set_cookie(TOKEN_COOKIE, self.gate.token, httponly=True, samesite="strict")
        _headers(response, request)
        return response

    async def _same_site(self, request: Request, csrf: str | None) -> bool:
        """A POST from runform's own page: its token (header, ?csrf= or a small form's field; the
        body is read whole, so the handler still gets it) matches the cookie this server issued,
        and its Origin, when it has one, is this server (never ``null``)."""
        sent = request.headers.get("x-csrf-token") or request.query_params.get("csrf")
        ctype = request.headers.get("content-type", "")
        size = request.headers.get("content-length", "")
        if sent is None and ctype.startswith("application/x-www-form-urlencoded") and size.isdigit() \
                and int(size) <= SMALL_FORM:
            fields = parse_qs((await request.body()).decode("utf-8", "replace"))
            sent = (fields.get("csrf") or [None])[0]
        origin = request.headers.get("origin")
        foreign = origin is not None and origin.split("://", 1)[-1].lower() != request.headers.get("host", "").lower()
        return not foreign and _same(sent, csrf)


def _headers(response: Response, request: Request) -> None:
    report = request.url.path.endswith("/files/report.html")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("Content-Security-Policy", REPORT_CSP if report else
                                CSP.format(nonce=getattr(request.state, "nonce", "")))


class BodyLimit:
    """Stops a request body at ``limit`` bytes as it arrives (chunked uploads included, which
    declare no size): the request is marked (``scope['runform_too_large']``) and its body ends
    there, so the handler answers 413 without the file ever reaching the disk in full."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST":
            return await self.app(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    scope["runform_too_large"] = True
                    raise BodyTooLarge()
            return message

        await self.app(scope, counted, send)


class BodyTooLarge(Exception):
    """A request body beyond the server's limit."""
