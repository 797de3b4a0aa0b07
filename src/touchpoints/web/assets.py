"""Every script, style and picture the pages use, served by the app itself.

Nothing is fetched from another host: many users run on an intranet with no internet, where a
page that loads its scripts or fonts from a CDN breaks (a known complaint against Superset and
Metabase). Plotly's ``plotly.min.js`` comes from the installed plotly wheel, Swagger UI (the
API's ``/docs``) from the swagger-ui-bundle package; htmx (BSD
Zero-Clause licence, its text beside it) and our own style and script are files of this
package. Chinese is drawn in Noto Sans CJK where it is installed, else the system's font
(the style lists them); no web font is downloaded.
"""

from __future__ import annotations

import mimetypes
from functools import cache
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from touchpoints.api.errors import ApiError

router = APIRouter(include_in_schema=False)
OURS = (
    "touchpoints.css",
    "touchpoints.js",
    "htmx.min.js",
    "htmx.LICENSE.txt",
    "favicon.svg",
    "swagger-init.js",
    "survey.css",
    "survey-embed.js",
)
# Swagger UI's files, from the swagger-ui-bundle package: the API's interactive documentation.
SWAGGER = ("swagger-ui.css", "swagger-ui-bundle.js")


@cache
def asset(name: str) -> bytes:
    """The bytes of a served file: ours, or plotly.min.js from the plotly package."""
    if name == "plotly.min.js":
        return files("plotly").joinpath("package_data/plotly.min.js").read_bytes()
    if name in SWAGGER:
        from swagger_ui_bundle import swagger_ui_path

        return (Path(swagger_ui_path) / name).read_bytes()
    return files("touchpoints.web").joinpath(f"static/{name}").read_bytes()


@router.get("/static/{name}")
def static(name: str) -> Response:
    """A static file, cached by the browser for a day (the version is in the page)."""
    if name not in (*OURS, *SWAGGER, "plotly.min.js"):
        raise ApiError(404, "not_found", f"no file {name}")
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind.endswith("javascript"):
        kind += "; charset=utf-8"
    return Response(asset(name), media_type=kind, headers={"Cache-Control": "max-age=86400"})


DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>touchpoints API</title>
<link rel="stylesheet" href="/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script></body></html>
"""


@router.get("/docs")
def documentation() -> HTMLResponse:
    """The API's interactive documentation (Swagger UI over ``/openapi.json``), served from
    this server like every other page."""
    return HTMLResponse(DOCS_PAGE)
