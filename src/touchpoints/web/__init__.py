"""The pages: a server-rendered dashboard over the services, in 简体中文 and English.

FastAPI renders Jinja2 templates; htmx swaps parts of a page (the drill-down's pager, the
upload report); Plotly draws the charts from the ``plotly.min.js`` of the installed plotly
wheel. Every script, style and font comes from this server (:mod:`.assets`). Why this stack:
``docs/web.md``. :func:`touchpoints.web.app.create_server` builds the app.
"""
