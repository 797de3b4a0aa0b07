"""The admin page: users, API tokens, the workspace's settings and the audit log (admins
only). A password or token made here is shown once, on the page that made it; every change
is audited under the admin's name and needs the session's CSRF token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse

from touchpoints.errors import ParameterError
from touchpoints.services.access import (
    ADMIN,
    ROLES,
    add_user,
    audit_log,
    create_token,
    new_password,
    remove_user,
    revoke_token,
    token_list,
    user_list,
)
from touchpoints.web.i18n import N_
from touchpoints.web.pages import PageContext, context, page, router
from touchpoints.web.security import check_csrf

Field = Annotated[str, Form(max_length=200)]


def settings(found: PageContext) -> list[tuple[str, str]]:
    """The settings of ``touchpoints.yaml`` that shape what the pages show (edited there)."""
    model = found.workspace.model
    metrics = model.metrics
    return [
        ("name", model.name),
        ("timezone", model.timezone),
        ("languages", ", ".join(model.languages)),
        ("metrics.min_n", str(metrics.min_n)),
        ("metrics.confidence", str(metrics.confidence)),
        ("metrics.practical_difference", str(metrics.practical_difference)),
        ("metrics.scales", ", ".join(f"{k} {v[0]}–{v[1]}" for k, v in metrics.scales)),
        ("metrics.ces_direction", metrics.ces_direction),
        ("index.touchpoint_weights", model.index.touchpoint_weights),
        ("index.channel_weights", model.index.channel_weights),
        ("surveys.fatigue_days", str(model.surveys.fatigue_days)),
        ("surveys.per_minute", str(model.surveys.per_minute)),
        ("surveys.base_url", model.surveys.base_url),
    ]


def admin_view(found: PageContext, **shown: Any) -> dict[str, Any]:
    return {
        "users": user_list(found.workspace).rows,
        "tokens": token_list(found.workspace).rows,
        "audit": audit_log(found.workspace, 100).rows,
        "settings": settings(found),
        "roles": ROLES,
        "model_file": str(found.workspace.root / "touchpoints.yaml"),
        **shown,
    }


@page("/admin", N_("Admin"), permission=ADMIN, order=95)
def admin(found: PageContext) -> tuple[str, dict[str, Any]]:
    return "admin.html", admin_view(found)


def _change(request: Request, csrf: str) -> tuple[PageContext, str]:
    found = context(request, ADMIN)
    check_csrf(request, found.viewer, csrf)
    return found, f"user:{found.viewer.name}"


def _done(found: PageContext, problem: ParameterError | None = None, **shown: Any) -> HTMLResponse:
    if problem is not None:
        return found.render(
            "admin.html", admin_view(found, problem=problem.render(lambda n: n)), status=400
        )
    return found.render("admin.html", admin_view(found, **shown))


@router.post("/admin/users", include_in_schema=False)
def add(
    request: Request, name: Field, role: Field, csrf: Field = "", team: Field = ""
) -> HTMLResponse:
    found, actor = _change(request, csrf)
    password = new_password()
    try:
        add_user(found.workspace, name.strip(), password, role, team.strip() or None, actor)
    except ParameterError as wrong:
        return _done(found, wrong)
    return _done(found, made_user=(name.strip(), password))


@router.post("/admin/users/remove", include_in_schema=False)
def remove(request: Request, name: Field, csrf: Field = "") -> HTMLResponse:
    found, actor = _change(request, csrf)
    try:
        remove_user(found.workspace, name, actor)
    except ParameterError as wrong:
        return _done(found, wrong)
    return _done(found, removed=name)


@router.post("/admin/tokens", include_in_schema=False)
def token(request: Request, role: Field, csrf: Field = "", team: Field = "") -> HTMLResponse:
    found, actor = _change(request, csrf)
    try:
        made = create_token(found.workspace, role, team.strip() or None, actor)
    except ParameterError as wrong:
        return _done(found, wrong)
    return _done(found, made_token=(made.record.id, made.token))


@router.post("/admin/tokens/revoke", include_in_schema=False)
def revoke(request: Request, token_id: Field, csrf: Field = "") -> HTMLResponse:
    found, actor = _change(request, csrf)
    try:
        revoke_token(found.workspace, token_id, actor)
    except ParameterError as wrong:
        return _done(found, wrong)
    return _done(found, revoked=token_id)
