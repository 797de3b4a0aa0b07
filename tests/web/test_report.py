"""The report: one HTML file that opens offline with its charts, and a workbook of every
table; downloaded from the overview as the viewer may see it."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from touchpoints.cli.app import app as cli
from touchpoints.services.access import operations
from touchpoints.services.workspace import Workspace
from web.conftest import FORMULA
from web.test_pages import links_of


def test_the_cli_writes_a_self_contained_report_and_a_workbook(
    site: Workspace, tmp_path: Path
) -> None:
    html, xlsx = tmp_path / "report.html", tmp_path / "report.xlsx"
    said = CliRunner().invoke(
        cli,
        [
            "report",
            "-w",
            str(site.root),
            "--out",
            str(html),
            "--xlsx",
            str(xlsx),
            "--lang",
            "zh",
            "--period",
            "quarter",
        ],
    )
    assert said.exit_code == 0, said.output
    text = html.read_text(encoding="utf-8")
    assert "客户体验报告" in text
    assert "Plotly.newPlot" in text
    assert 'class="chart"' in text
    for url in links_of(text).urls:  # no script, style, picture or link from elsewhere
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("", ""), url
    assert "<script>alert('pwned')" not in text
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in text
    book = load_workbook(xlsx)
    assert book.sheetnames == ["MTSI", "metrics", "changes", "benchmark", "items"]
    assert [c.value for c in book["MTSI"][1]][:3] == ["level", "score", "low"]
    assert not list(tmp_path.glob(".*.partial"))


def test_the_overview_downloads_the_report_as_the_viewer_may_see_it(
    as_role: dict[str, TestClient], site: Workspace
) -> None:
    analyst = as_role["analyst"].get("/report.html", params={"lang": "en"})
    assert analyst.status_code == 200
    assert "Customer experience report" in analyst.text
    assert "Latest comments of detractors" in analyst.text
    viewer = as_role["viewer"].get("/report.html", params={"lang": "en"})
    assert viewer.status_code == 200
    assert "Latest comments of detractors" not in viewer.text
    assert "pwned" not in viewer.text
    book = as_role["analyst"].get("/report.xlsx", params={"period": "quarter"})
    sheets = load_workbook(io.BytesIO(book.content))
    assert "changes" in sheets.sheetnames
    assert not any(
        c.value == FORMULA and c.data_type == "f"
        for ws in sheets.worksheets
        for row in ws.iter_rows()
        for c in row
    )
    exports = [e["detail"] for e in operations(site).audit(100) if e["action"] == "export"]
    assert "report.html" in exports
    assert "report.xlsx" in exports


def test_the_command_runs_in_a_fresh_process(site: Workspace, tmp_path: Path) -> None:
    """As a user runs it: nothing imported before (the report once imported the pages'
    views, which import the report back), and a malformed --where is one clear line."""
    import subprocess
    import sys

    out = tmp_path / "fresh.html"
    run = [sys.executable, "-m", "touchpoints", "report", "-w", str(site.root)]
    done = subprocess.run([*run, "--out", str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0
    wrong = subprocess.run(
        [*run, "--out", str(out), "--where", "badvalue"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert wrong.returncode == 1
    assert "--where: takes NAME=VALUE" in wrong.stderr
    assert "Traceback" not in wrong.stderr
