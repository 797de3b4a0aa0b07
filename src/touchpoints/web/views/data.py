"""The data page: upload a file (the same validation, quarantine and counts as ``touchpoints
ingest``, with its report shown), the quarantine with its reasons, and the status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from touchpoints.ingest.kinds import KINDS
from touchpoints.ingest.readers import EXTENSIONS
from touchpoints.services.access import RAW_ROWS, WRITE, operations
from touchpoints.web.i18n import N_
from touchpoints.web.pages import PageContext, PageRefused, context, page, router
from touchpoints.web.security import check_csrf
from touchpoints.web.tables import Sheets, exporter

QUARANTINE_PAGE = 50


def data_view(found: PageContext, report: Any = None, problem: str | None = None) -> dict[str, Any]:
    """What the data page shows: the status, the quarantine (to those who may see raw rows)
    and, after an upload, its report."""
    status = found.cached(("status",), found.workspace.status)
    quarantine = None
    if found.viewer.may(RAW_ROWS):
        given = found.request.query_params.get("qpage", "1")
        number = int(given) if given.isdigit() and 0 < int(given) < 10**6 else 1
        quarantine = found.workspace.quarantine(
            limit=QUARANTINE_PAGE, offset=(number - 1) * QUARANTINE_PAGE
        )
    return {
        "status": status.views(),
        "quarantine": quarantine.views() if quarantine is not None else None,
        "kinds": sorted(KINDS),
        "may_upload": found.viewer.may(WRITE),
        "report": report.views() if report is not None else None,
        "problem": problem,
        "accept": ",".join(sorted(EXTENSIONS)),
    }


@page("/data", N_("Data"), order=90)
def data(found: PageContext) -> tuple[str, dict[str, Any]]:
    return "data.html", data_view(found)


@router.post("/data", include_in_schema=False)
def upload(
    request: Request,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form(max_length=40)],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    """Ingest an uploaded file; the page shows the ingest's report, or why it was refused."""
    found = context(request, WRITE)
    check_csrf(request, found.viewer, csrf)
    suffix = "." + (file.filename or "").rsplit(".", 1)[-1].lower() if file.filename else ""
    if suffix not in EXTENSIONS:
        known = ", ".join(sorted(EXTENSIONS))
        refused = found._("Cannot tell the format of this file.")
        raise PageRefused(400, f"{refused} ({known})")
    if kind not in KINDS:
        refused = found._("Unknown kind of data.")
        raise PageRefused(400, f"{refused} ({', '.join(sorted(KINDS))})")
    result = found.workspace.ingest_stream(file.file, kind=kind, suffix=suffix, source="upload")
    counts = " ".join(f"{k}={getattr(result, k)}" for k in ("read", "accepted", "quarantined"))
    operations(found.workspace).log(f"user:{found.viewer.name}", "upload", f"{kind} {counts}")
    return found.render("data.html", data_view(found, report=result))


@exporter("quarantine", RAW_ROWS)
def export_quarantine(found: PageContext) -> Sheets:
    return [("quarantine", found.workspace.quarantine().records())]
