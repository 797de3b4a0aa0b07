"""The report, downloaded from the overview: the file ``touchpoints report`` writes, for the
page's filters and language, as the viewer may see it (thin figures withheld from agents and
viewers; detractors' comments only for those who may export answers). Audited as an export."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from touchpoints.services.access import RAW_ROWS, operations
from touchpoints.web.pages import PageContext, PageRefused, context, router
from touchpoints.web.report import Reader, report_data, report_html, report_xlsx


def _data(found: PageContext) -> dict[str, object]:
    reader = Reader(found.viewer.sees_thin_figures, found.viewer.may(RAW_ROWS))
    return report_data(found.workspace, found.filters, found.lang, reader)


@router.get("/report.{fmt}", include_in_schema=False)
def report(fmt: str, request: Request) -> Response:
    found = context(request)
    if fmt not in ("html", "xlsx"):
        raise PageRefused(404, found._("No such export."))
    data = _data(found)
    operations(found.workspace).log(f"user:{found.viewer.name}", "export", f"report.{fmt}")
    name = f'attachment; filename="touchpoints-report-{found.lang}.{fmt}"'
    if fmt == "html":
        return Response(
            report_html(data),
            media_type="text/html; charset=utf-8",
            headers={"Content-Disposition": name},
        )
    return Response(
        report_xlsx(data),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": name},
    )
