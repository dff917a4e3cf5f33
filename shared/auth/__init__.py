"""Bearer JWTs with the suite's roles; each non-global role is bound to one tenant."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

import jwt
from flask import current_app, g, request

from shared.web.errors import ApiError

ACADEMY_ADMIN = "academy_admin"
CLUSTER_HEAD = "cluster_head"
SCHOOL_OFFICER = "school_officer"
INTEGRATION = "integration"
OPERATOR = "operator"
PROVINCIAL_VIEWER = "provincial_viewer"
"""A provincial standing committee or ministry leadership: reads the schools with its code, writes nothing."""
SERVICE = "service"
"""Another service of the suite, calling for what only services may (opening sealed personal data)."""
ROLES = (ACADEMY_ADMIN, CLUSTER_HEAD, SCHOOL_OFFICER, INTEGRATION, OPERATOR, PROVINCIAL_VIEWER, SERVICE)
TENANT_ROLES = (CLUSTER_HEAD, SCHOOL_OFFICER, INTEGRATION, PROVINCIAL_VIEWER)
ALGORITHM = "HS256"
ISSUER = "thidua"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Principal:
    """Who is calling: a subject, one role and, for tenant roles, the cluster, school or province code."""

    subject: str
    role: str
    tenant: str | None = None

    @property
    def actor(self) -> str:
        """Return how events name this caller."""
        return f"{self.role}:{self.subject}"


def mint_token(
    secret: str, subject: str, role: str, tenant: str | None = None, ttl: timedelta | None = None
) -> str:
    """Return a signed token for a subject in a role (and tenant, for the roles that need one)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if (role in TENANT_ROLES) != (tenant is not None):
        raise ValueError(f"role {role} {'needs' if role in TENANT_ROLES else 'takes no'} tenant")
    now = datetime.now(UTC)
    claims: dict[str, Any] = {"sub": subject, "role": role, "iss": ISSUER, "iat": now}
    claims["exp"] = now + (ttl or timedelta(hours=12))
    if tenant is not None:
        claims["tenant"] = tenant
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_token(secret: str, token: str) -> Principal:
    """Verify a token and return its principal; raise ApiError 401 if it is not valid."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["sub", "role", "exp"]}
        )
    except jwt.PyJWTError as exc:
        raise ApiError(401, "invalid_token", f"the bearer token is not valid: {exc}") from exc
    role = claims["role"]
    tenant = claims.get("tenant")
    if isinstance(claims["exp"], bool) or not isinstance(claims["exp"], int | float):
        raise ApiError(401, "invalid_token", "the token's expiry is not a NumericDate")
    if not isinstance(role, str) or not isinstance(tenant, str | None):
        raise ApiError(401, "invalid_token", "the token's role or tenant is not valid")
    if role not in ROLES or (role in TENANT_ROLES and not tenant):
        raise ApiError(401, "invalid_token", "the token's role or tenant is not valid")
    return Principal(subject=str(claims["sub"]), role=role, tenant=tenant)


def current_principal() -> Principal:
    """Return the authenticated caller of this request; raise ApiError 401 if there is none."""
    if "principal" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "missing_token", "send 'Authorization: Bearer <token>'")
        g.principal = decode_token(current_app.config["JWT_SECRET"], token.strip())
    return cast(Principal, g.principal)


def require(*roles: str) -> Callable[[F], F]:
    """Allow a view only to the given roles (any authenticated role when none are given)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if roles and principal.role not in roles:
                raise ApiError(403, "forbidden", f"role {principal.role} may not do this", {"allowed": roles})
            return view(*args, **kwargs)

        _document_roles(wrapper, roles)
        return cast(F, wrapper)

    return decorate


def _document_roles(view: Any, roles: tuple[str, ...]) -> None:
    """Say in the view's OpenAPI operation which roles may call it (``x-roles``; reads are also scoped)."""
    doc = copy.deepcopy(getattr(view, "_apidoc", {}))
    manual = doc.setdefault("manual_doc", {})
    manual["x-roles"] = list(roles or ROLES)
    manual["x-scope"] = "reads are limited to the caller's school, cluster or code (README: Who reads what)"
    view._apidoc = doc
