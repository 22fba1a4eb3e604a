"""The web app's guards: access token, cross-site form posts, upload type from content.

- Access token: required on every request when the server listens beyond
  loopback. Given once as ``?token=...`` (it is then kept in an HttpOnly
  cookie) or as ``Authorization: Bearer ...``.
- Cross-site requests: every POST carries a token equal to the ``runform_csrf``
  cookie (SameSite=Strict, so a page on another site can neither read nor send
  it): the ``csrf`` field of a small form, ``?csrf=`` on an upload (so the
  upload is never buffered to check it) or an ``X-CSRF-Token`` header; a POST
  whose Origin is another site is refused too.
- Uploads: the kind of file is read from its bytes (``runform.sources.sniff``,
  as for every entry point), never from its name.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

CSRF_COOKIE = "runform_csrf"
TOKEN_COOKIE = "runform_token"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Guard(BaseHTTPMiddleware):
    def __init__(self, app, token: str | None):
        super().__init__(app)
        self.token = token

    async def dispatch(self, request: Request, call_next) -> Response:
        set_token = False
        if self.token:
            given = (request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE)
                     or request.headers.get("authorization", "").removeprefix("Bearer ").strip())
            if not given or not hmac.compare_digest(given, self.token):
                return PlainTextResponse("runform: this server needs its access token. Open the address it "
                                         "printed at start (…/?token=…).", status_code=401)
            set_token = request.query_params.get("token") is not None
        csrf = request.cookies.get(CSRF_COOKIE)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            ctype = request.headers.get("content-type", "")
            sent = request.headers.get("x-csrf-token") or request.query_params.get("csrf")
            if sent is None and ctype.startswith("application/x-www-form-urlencoded"):
                sent = (await request.form()).get("csrf")  # small forms; uploads carry it in the URL
            origin = request.headers.get("origin")
            foreign = origin not in (None, "null") and origin.split("://", 1)[-1] != request.headers.get("host")
            if foreign or not csrf or not sent or not hmac.compare_digest(str(sent), csrf):
                return PlainTextResponse("runform: this form was not sent from runform's own page "
                                         "(cross-site request refused). Reload the page and try again.",
                                         status_code=403)
        request.state.csrf = csrf or secrets.token_urlsafe(24)
        response = await call_next(request)
        if not csrf:
            response.set_cookie(CSRF_COOKIE, request.state.csrf, httponly=True, samesite="strict")
        if set_token:
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
