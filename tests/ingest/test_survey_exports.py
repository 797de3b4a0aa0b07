"""Genuine survey-tool exports (../shared/exports, see its SOURCES.md), read with a mapping.

Expected values are read off the files by eye and written here, not produced by the reader.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import EXPORTS, query, reasons, write_csv
from touchpoints.errors import MappingError
from touchpoints.ingest import IngestResult, ingest_file
from touchpoints.ingest.readers import read_file
from touchpoints.services.workspace import Workspace

pytestmark = pytest.mark.skipif(
    not EXPORTS.is_dir(), reason=f"{EXPORTS} (the shared survey exports) is not present"
)


def _ingest(
    workspace: Workspace, tmp_path: Path, name: str, mapping: dict[str, object]
) -> IngestResult:
    path = tmp_path / "map.yaml"
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    return ingest_file(workspace, EXPORTS / name, mapping_path=path)


def _everything(workspace: Workspace) -> str:
    tables = [t for (t,) in query(workspace, "SELECT table_name FROM information_schema.tables")]
    return "\n".join(str(query(workspace, f'SELECT * FROM "{t}"')) for t in tables)


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("qualtrics_qualtRics_sample.csv", 3),  # codes, German labels, {"ImportId": …}
        ("qualtrics_QualtricsTools_coded_comments.csv", 3),  # {'ImportId': …} Python-style
        ("qualtrics_QualtricsTools_survey_logic_legacy.csv", 2),  # V1… codes and labels
    ],
)
def test_qualtrics_header_rows_are_told_apart(name: str, rows: int) -> None:
    raw = read_file(EXPORTS / name, "qualtrics")
    assert raw.rows.to_pylist()[0] == rows + 1  # the first response is the row after them


def test_qualtrics_current_export(workspace: Workspace, tmp_path: Path) -> None:
    result = _ingest(
        workspace,
        tmp_path,
        "qualtrics_qualtRics_sample.csv",
        {
            "kind": "responses",
            "format": "qualtrics",
            "columns": {
                "response_id": "ResponseId",
                "ts": "RecordedDate",
                "csat": "Q1",
                "comment": "Q2",
            },
            "constants": {"touchpoint": "web_checkout"},
        },
    )
    assert (result.read, result.accepted) == (1, 1)
    row = query(
        workspace,
        "SELECT response_id, strftime(ts, '%Y-%m-%d %H:%M:%S'), csat, comment FROM responses",
    )
    # RecordedDate 2017-07-18 08:28:48, read in the workspace zone (UTC+8).
    assert row == [("R_2YPOQ602ER1jkf1", "2017-07-18 00:28:48", 2, "Hello World!")]
    assert "130.92.34.66" not in _everything(workspace)  # the IPAddress column was not mapped


def test_qualtrics_2016_export_with_test_responses(workspace: Workspace, tmp_path: Path) -> None:
    result = _ingest(
        workspace,
        tmp_path,
        "qualtrics_QualtricsTools_coded_comments.csv",
        {
            "kind": "responses",
            "format": "qualtrics",
            "columns": {
                "response_id": "ResponseID",
                "ts": "StartDate",
                "csat": "Q1",
                "comment": "Q2",
            },
        },
    )
    # Q1 is a choice coded 1–6: mapped as a 1–5 CSAT, the two "6" answers are refused.
    assert (result.read, result.accepted, result.quarantined) == (10, 8, 2)
    assert reasons(workspace) == {
        "R_721xLcaILSbyvdP": ["csat: 6 is outside 1–5"],
        "R_e38nE1332JvNGsZ": ["csat: 6 is outside 1–5"],
    }
    first = query(
        workspace, "SELECT csat, comment FROM responses WHERE response_id = 'R_bdygJsbbIhnpYz3'"
    )
    assert first[0][0] == 1
    assert first[0][1].startswith("Phasellus? Molestie nibh vel auctor")


def test_qualtrics_legacy_export(workspace: Workspace, tmp_path: Path) -> None:
    result = _ingest(
        workspace,
        tmp_path,
        "qualtrics_QualtricsTools_survey_logic_legacy.csv",
        {
            "kind": "responses",
            "format": "qualtrics",
            "columns": {"response_id": "V1", "ts": "V8", "csat": "Q1", "attr.q2": "Q2"},
        },
    )
    assert (result.read, result.accepted) == (10, 10)
    firsts = query(
        workspace, "SELECT response_id, csat FROM responses ORDER BY response_id LIMIT 1"
    )
    assert firsts == [("R_0PxRPQhcH4qUbtz", 1)]


def test_surveymonkey_two_header_rows(workspace: Workspace, tmp_path: Path) -> None:
    """Question text carried forward and joined with the sub-label; the publisher dropped the
    dates, so the mapping supplies one."""
    result = _ingest(
        workspace,
        tmp_path,
        "surveymonkey_538_steak_risk_survey.csv",
        {
            "kind": "responses",
            "format": "surveymonkey",
            "columns": {
                "response_id": "RespondentID",
                "item.smoke": "Do you ever smoke cigarettes? - Response",
                "item.steak": "How do you like your steak prepared? - Response",
                "region": "Location (Census Region) - Response",
            },
            "constants": {"ts": "2014-05-15"},
        },
    )
    # 550 respondents; 9 (3237565956 first) answered none of the mapped questions.
    assert (result.read, result.accepted, result.quarantined) == (550, 541, 9)
    refused = reasons(workspace)
    assert "3237565956" in refused
    assert {tuple(r) for r in refused.values()} == {
        ("response: no answer (a score, an item or a comment is needed)",)
    }
    answer = query(
        workspace,
        "SELECT r.region, i.text FROM responses r JOIN response_items i USING (response_id) "
        "WHERE response_id = '3234982343' AND item = 'item.steak'",
    )
    assert answer == [("East North Central", "Medium rare")]


def test_surveymonkey_saved_by_excel_for_mac(workspace: Workspace, tmp_path: Path) -> None:
    """CR line ends, two stray non-UTF-8 bytes, `7/10/14 18:37` dates, no respondent id."""
    result = _ingest(
        workspace,
        tmp_path,
        "surveymonkey_538_sleeping_alone.csv",
        {
            "kind": "responses",
            "format": "surveymonkey",
            "ids": "content",
            "columns": {
                "ts": "StartDate",
                "segment": "Gender - Response",
                "item.relationship": "Which of the following best describes your current "
                "relationship status? - Response",
            },
        },
    )
    assert result.read == 1093
    assert result.accepted + result.duplicates == 1093
    assert result.quarantined == 0
    # The first response: 7/10/14 18:37 is 10 July (month first), 10:37 UTC from UTC+8.
    first = query(
        workspace,
        "SELECT count(*) FROM responses r JOIN response_items i USING (response_id) "
        "WHERE strftime(ts, '%Y-%m-%d %H:%M') = '2014-07-10 10:37' AND r.segment = 'Male' "
        "AND i.text = 'Single, but cohabiting with a significant other'",
    )
    assert first == [(1,)]


def test_limesurvey_r_export(workspace: Workspace, tmp_path: Path) -> None:
    result = _ingest(
        workspace,
        tmp_path,
        "limesurvey_limonaid_survey_998192_R_data_file.csv",
        {
            "kind": "responses",
            "format": "limesurvey",
            "columns": {
                "response_id": "Response ID",
                "ts": "Date started",
                "item.agree": "do you agree",
                "item.mood": "Please\u00a0 describe your current mood.",
            },
        },
    )
    assert result.read == 7
    assert result.accepted + result.quarantined == 7
    agree = query(
        workspace, "SELECT text FROM response_items WHERE response_id = '1' AND item = 'item.agree'"
    )
    assert agree == [("1",)]


def test_wenjuanxing_xls(workspace: Workspace, tmp_path: Path) -> None:
    """问卷星's .xls: 序号, 提交答卷时间, `3分` answers, `(跳过)` for skipped questions."""
    satisfaction = (
        "15、您对“中兴天机7”整体的满意度如何?(以0-10分为标准,0分为最低,10分为最高) (单选题 *必答)"
    )
    result = _ingest(
        workspace,
        tmp_path,
        "wenjuanxing_reportgen_All_Data_Readable.xls",
        {
            "kind": "responses",
            "format": "xlsx",
            # 2016's download name has no activity number: the survey is named here.
            "survey": "tianji7",
            "columns": {
                "response_id": "序号",
                "ts": "提交答卷时间",
                "nps": satisfaction,
                "attr.screen": "屏幕显示效果",
                "region": "请选择省份城市与地区:",
            },
        },
    )
    # Respondents 1 and 3 skipped every mapped question.
    assert (result.read, result.accepted, result.quarantined) == (4, 2, 2)
    rows = query(
        workspace,
        "SELECT response_id, strftime(ts, '%Y-%m-%d %H:%M:%S'), nps, region "
        "FROM responses ORDER BY 1",
    )
    assert rows == [
        ("tianji7:2", "2016-12-17 06:25:31", 3, "山西-晋城"),
        ("tianji7:4", "2016-12-17 06:28:03", 3, "天津-红桥区"),
    ]
    screens = query(workspace, "SELECT response_id, value FROM response_items ORDER BY 1")
    assert screens == [("tianji7:2", 4.0), ("tianji7:4", 3.0)]
    assert "183.192.16.69" not in _everything(workspace)  # 来自IP was not mapped


# --- 问卷星's 序号 restarts at 1 in every survey: ids are scoped by the survey ---------------

WJX_HEADER = ["序号", "提交答卷时间", "所用时间", "推荐意愿"]


def _wjx_export(folder: Path, name: str, scores: list[int]) -> Path:
    """A 问卷星 CSV download: answers numbered 1, 2, … in 序号, one NPS question."""
    rows = [[n, f"2025/5/{n} 10:00:00", "35秒", score] for n, score in enumerate(scores, start=1)]
    return write_csv(folder / name, WJX_HEADER, rows)


def _stored_ids(workspace: Workspace) -> list[tuple[str, int]]:
    return query(workspace, "SELECT response_id, nps FROM responses ORDER BY response_id")


def test_wenjuanxing_answers_of_two_surveys_keep_apart_by_activity_number(
    workspace: Workspace, tmp_path: Path
) -> None:
    store = _wjx_export(tmp_path, "384504415_按文本_门店满意度_2_2.csv", [9, 3])
    online = _wjx_export(tmp_path, "384509999_按文本_线上满意度_2_2.csv", [10, 6])
    first = ingest_file(workspace, store, kind="responses")
    second = ingest_file(workspace, online, kind="responses")
    assert (first.accepted, second.accepted, second.quarantined) == (2, 2, 0)
    assert _stored_ids(workspace) == [
        ("384504415:1", 9),
        ("384504415:2", 3),
        ("384509999:1", 10),
        ("384509999:2", 6),
    ]


def test_wenjuanxing_export_again_and_a_later_longer_one_keep_their_ids(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = _wjx_export(tmp_path, "384504415_按文本_门店满意度_2_2.csv", [9, 3])
    ingest_file(workspace, path, kind="responses")
    again = ingest_file(workspace, path, kind="responses")
    assert (again.accepted, again.duplicates) == (0, 2)
    # Downloaded a week later: the same activity number, one answer more.
    later = _wjx_export(tmp_path, "384504415_按文本_门店满意度_3_3.csv", [9, 3, 7])
    result = ingest_file(workspace, later, kind="responses")
    assert (result.accepted, result.duplicates, result.quarantined) == (1, 2, 0)
    assert _stored_ids(workspace) == [("384504415:1", 9), ("384504415:2", 3), ("384504415:3", 7)]


def test_serial_numbers_without_a_survey_are_refused_naming_the_fix(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = _wjx_export(tmp_path, "data.csv", [9])
    expected = (
        f"{path}: response_id comes from 序号, which 问卷星 numbers from 1 in every survey: "
        "name the survey with `survey: NAME` in a mapping (the same NAME for every export of "
        "it), or keep the name 问卷星 gave the file (123456789_按文本_…)"
    )
    with pytest.raises(MappingError) as info:
        ingest_file(workspace, path, kind="responses")
    assert str(info.value) == expected
    assert query(workspace, "SELECT count(*) FROM responses") == [(0,)]


def test_a_mapping_survey_scopes_the_ids_whatever_the_file_is_called(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = _wjx_export(tmp_path, "384504415_按文本_门店满意度_1_1.csv", [9])
    mapping = tmp_path / "map.yaml"
    mapping.write_text("kind: responses\nsurvey: 门店2025\n", encoding="utf-8")
    result = ingest_file(workspace, path, mapping_path=mapping)
    assert result.accepted == 1
    assert _stored_ids(workspace) == [("门店2025:1", 9)]


def test_survey_on_a_kind_without_response_ids_is_refused(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "tickets.csv", ["ticket_id", "created_at"], [["T1", "2025-05-04"]])
    mapping = tmp_path / "map.yaml"
    mapping.write_text("kind: tickets\nsurvey: s1\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"^survey: scopes response ids; tickets have none$"):
        ingest_file(workspace, path, mapping_path=mapping)
