"""A separate backend API that trusts the provider's session JWTs (the second seed document).

    /usr/bin/python3 examples/python-api/app.py

GET /whoami with `Authorization: Bearer <session JWT>` answers who is calling, after
verifying the token through the provider's JWKS (session_token.py). The demo sites call it
from the browser, so it answers CORS requests from their origins (and no others).
Only the standard library and PyJWT (Debian: python3-jwt) are used.

Configuration (environment):
  PROVIDER_URL          the issuer (default http://localhost:3000)
  PYTHON_API_AUDIENCE   the `aud` required (default: the issuer, which is the audience of the
                        provider's session JWTs)
  PYTHON_API_PORT       where to listen (default 3003), on PYTHON_API_HOST (default 127.0.0.1)
  PYTHON_API_ORIGINS    comma-separated browser origins allowed to call it
                        (default http://localhost:3001,http://localhost:3002)
"""

from __future__ import annotations

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from session_token import InvalidSessionToken, SessionTokenVerifier

ISSUER = os.environ.get("PROVIDER_URL", "http://localhost:3000").rstrip("/")
AUDIENCE = os.environ.get("PYTHON_API_AUDIENCE", ISSUER)
HOST = os.environ.get("PYTHON_API_HOST", "127.0.0.1")
PORT = int(os.environ.get("PYTHON_API_PORT", "3003"))
ORIGINS = {o.strip() for o in os.environ.get("PYTHON_API_ORIGINS", "http://localhost:3001,http://localhost:3002").split(",") if o.strip()}

verifier: SessionTokenVerifier | None = None


def get_verifier() -> SessionTokenVerifier:
    # Discovery on first use, so the API can start before the provider does.
    global verifier
    if verifier is None:
        verifier = SessionTokenVerifier(ISSUER, AUDIENCE, os.environ.get("PYTHON_API_JWKS_URI") or None)
    return verifier


class Handler(BaseHTTPRequestHandler):
    server_version = "python-api"

    def _cors(self) -> dict[str, str]:
        origin = self.headers.get("Origin")
        if origin and origin in ORIGINS:
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {"Vary": "Origin"}

    def _send(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in {**self._cors(), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def do_OPTIONS(self) -> None:  # CORS preflight: the browser asks before sending Authorization.
        headers = {"Access-Control-Allow-Methods": "GET", "Access-Control-Allow-Headers": "Authorization", "Access-Control-Max-Age": "600"}
        self.send_response(204)
        for name, value in {**self._cors(), **headers}.items():
            self.send_header(name, value)
        self.end_headers()

    def do_GET(self) -> None:
        if self.path == "/healthz":
            return self._send(200, {"status": "ok", "issuer": ISSUER, "audience": AUDIENCE})
        if self.path != "/whoami":
            return self._send(404, {"error": "not_found", "message": "Try GET /whoami with Authorization: Bearer <session JWT>."})
        authorization = self.headers.get("Authorization", "")
        scheme, _, token = authorization.partition(" ")
        # RFC 6750 §3: a missing or unusable token is answered with a Bearer challenge.
        if scheme.lower() != "bearer" or not token.strip():
            return self._send(401, {"error": "invalid_request", "message": "Send Authorization: Bearer <session JWT>."}, {"WWW-Authenticate": 'Bearer realm="python-api"'})
        try:
            caller = get_verifier().verify(token.strip())
        except InvalidSessionToken as error:
            # RFC 6750 §3: error_description is a quoted string of printable ASCII without quotes.
            description = "".join(c for c in str(error) if 0x20 <= ord(c) < 0x7F and c not in '"\\')
            challenge = f'Bearer realm="python-api", error="invalid_token", error_description="{description}"'
            return self._send(401, {"error": "invalid_token", "message": str(error)}, {"WWW-Authenticate": challenge})
        except OSError as error:  # the provider's discovery or JWKS could not be fetched
            return self._send(503, {"error": "temporarily_unavailable", "message": f"cannot reach the provider's keys: {error}"}, {"Retry-After": "5"})
        self._send(200, {"sub": caller.subject, "email": caller.email, "name": caller.name, "expiresAt": caller.expires_at, "verifiedBy": "python-api (PyJWT + JWKS)"})

    def log_message(self, format: str, *args) -> None:
        sys.stderr.write(f"[python-api] {self.address_string()} {format % args}\n")


def main() -> None:
    server = ThreadingHTTPServer((HOST, PORT), Handler)
    print(f"[python-api] listening on http://{HOST}:{PORT} (issuer {ISSUER}, audience {AUDIENCE})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
