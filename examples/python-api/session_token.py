"""Verifies the provider's session JWTs through its published JWKS.

The provider signs every token with asymmetric keys it publishes at `jwks_uri` (discovery,
OpenID Connect Discovery 1.0 §3). A backend therefore needs no shared secret: it trusts a
token only when

1. the header's `kid` names a key in the provider's JWKS, and the signature verifies with it
   (RFC 7515 §5.2), using an algorithm from a fixed list (never the token's own choice alone:
   RFC 8725 §3.1, "alg: none" and HS256-with-the-public-key attacks);
2. `iss` is exactly the provider (RFC 7519 §4.1.1) and `aud` names this API's audience
   (§4.1.3): a token minted for another audience must not work here;
3. `exp` is in the future and `iat` is present (§4.1.4, §4.1.6), allowing a little clock skew.

Keys rotate: a token signed by a key this process has not seen yet carries a new `kid`, and the
JWKS is fetched again (at most once per `refetch_cooldown_seconds`, so that tokens with made-up
`kid`s cannot make this service hammer the provider).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWKClient

# The provider signs session JWTs with RS256; ES256 and EdDSA are the other algorithms it
# publishes keys for. Never HS256: that would let anyone holding the public key forge tokens.
ALLOWED_ALGORITHMS = ["RS256", "ES256", "EdDSA"]
CLOCK_SKEW_SECONDS = 30


class InvalidSessionToken(Exception):
    """The token is not one this API accepts; the message says why (safe to show the caller)."""


@dataclass(frozen=True)
class Caller:
    subject: str
    email: str | None
    name: str | None
    expires_at: int


def discover_jwks_uri(issuer: str, timeout: float = 5.0) -> str:
    """OpenID Connect Discovery 1.0 §4: the document's `issuer` must equal the issuer we asked."""
    with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=timeout) as response:
        document = json.load(response)
    if document.get("issuer") != issuer:
        raise RuntimeError(f"discovery at {issuer} names issuer {document.get('issuer')!r}")
    return str(document["jwks_uri"])


class CooldownJWKClient(PyJWKClient):
    """PyJWKClient refetches the JWKS on every unknown `kid`; this allows it once per cooldown."""

    def __init__(self, uri: str, refetch_cooldown_seconds: float = 30.0, lifespan: int = 300):
        super().__init__(uri, cache_jwk_set=True, lifespan=lifespan)
        self._cooldown = refetch_cooldown_seconds
        self._last_refetch = 0.0
        self._lock = threading.Lock()

    def get_signing_key(self, kid: str):  # type: ignore[override]
        match = self.match_kid(self.get_signing_keys(), kid)
        if match:
            return match
        with self._lock:
            if time.monotonic() - self._last_refetch < self._cooldown:
                raise jwt.PyJWKClientError(f'no key "{kid}" in the provider\'s JWKS')
            self._last_refetch = time.monotonic()
        match = self.match_kid(self.get_signing_keys(refresh=True), kid)
        if not match:
            raise jwt.PyJWKClientError(f'no key "{kid}" in the provider\'s JWKS')
        return match


class SessionTokenVerifier:
    def __init__(self, issuer: str, audience: str, jwks_uri: str | None = None, refetch_cooldown_seconds: float = 30.0):
        self.issuer = issuer
        self.audience = audience
        self.jwks = CooldownJWKClient(jwks_uri or discover_jwks_uri(issuer), refetch_cooldown_seconds)

    def verify(self, token: str) -> Caller:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError as error:
            raise InvalidSessionToken(f"not a JWT: {error}") from error
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise InvalidSessionToken(f"algorithm {header.get('alg')!r} is not accepted (only {', '.join(ALLOWED_ALGORITHMS)})")
        if not header.get("kid"):
            raise InvalidSessionToken("the token has no kid, so no published key can verify it")
        try:
            key = self.jwks.get_signing_key(header["kid"])
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[header["alg"]],
                issuer=self.issuer,
                audience=self.audience,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidSessionToken("the token has expired") from error
        except jwt.InvalidAudienceError as error:
            raise InvalidSessionToken(f"the token is not for this API (aud must be {self.audience})") from error
        except jwt.InvalidIssuerError as error:
            raise InvalidSessionToken(f"the token was not issued by {self.issuer}") from error
        except jwt.InvalidSignatureError as error:
            raise InvalidSessionToken("the signature does not verify with the provider's key") from error
        except (jwt.PyJWKClientError, jwt.InvalidTokenError) as error:
            raise InvalidSessionToken(str(error)) from error
        return Caller(
            subject=str(claims["sub"]),
            email=claims.get("email"),
            name=claims.get("name"),
            expires_at=int(claims["exp"]),
        )
