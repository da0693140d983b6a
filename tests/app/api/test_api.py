"""The HTTP API against a real uvicorn server on localhost, called with httpx as another
system would: every endpoint, every format parsed back and checked against metrics.query,
tokens and plant scope, problem responses, ETag/304, limits and the audit log."""

from __future__ import annotations

import io
import sqlite3
import time

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import metrics
from app.accounts import Accounts
from app.accounts.tokens import ApiTokens
from metrics.scope import Scope
from tests.app.api.conftest import FROM, TO, Api

PROBLEM = "application/problem+json"
OEE_BY_LINE = {"metrics": "oee,availability", "by": "line", "from": FROM, "to": TO}


def expected(api: Api, plants: set[str] | None, **request) -> pl.DataFrame:  # noqa: ANN003
    scope = Scope.all() if plants is None else Scope.of(plants)
    return metrics.query(warehouse=api.warehouse, scope=scope, **request)


def parse(content: bytes, fmt: str, like: pl.DataFrame) -> pl.DataFrame:
    if fmt == "json":
        import json

        rows = json.loads(content)["rows"]
        frame = pl.DataFrame(rows, infer_schema_length=None).select(like.columns)
        dates = [name for name, dtype in like.schema.items() if dtype == pl.Date]
        return frame.with_columns(pl.col(dates).str.to_date()).cast(like.schema)
    if fmt == "csv":
        assert content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
        return pl.read_csv(io.BytesIO(content[3:]), schema=like.schema)
    if fmt == "xlsx":
        return pl.read_excel(io.BytesIO(content), schema_overrides=dict(like.schema))
    if fmt == "parquet":
        return pl.read_parquet(io.BytesIO(content))
    return pl.read_ipc_stream(io.BytesIO(content))


MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "arrow": "application/vnd.apache.arrow.stream",
}


@pytest.mark.parametrize("fmt", list(MEDIA))
def test_every_format_gives_the_numbers_of_metrics_query(api: Api, fmt: str) -> None:
    want = expected(api, {"SZ"}, metrics=["oee", "availability"], by=["line"], start=FROM, end=TO)
    assert want.height == 4 and set(want["line_id"]) == {
        "SZ-ASSY1",
        "SZ-PACK1",
        "SZ-SMT1",
        "SZ-SMT2",
    }
    with api.client("sz.manager") as client:
        response = client.get("/query", params={**OEE_BY_LINE, "format": fmt})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA[fmt]
    assert_frame_equal(parse(response.content, fmt, want), want, check_exact=True)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/csv", "csv"),
        ("application/vnd.apache.parquet", "parquet"),
        ("application/vnd.apache.arrow.stream", "arrow"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        ("text/html;q=0.9, application/json;q=0.5", "json"),
        ("*/*", "json"),
    ],
)
def test_the_accept_header_chooses_the_format(api: Api, accept: str, fmt: str) -> None:
    with api.client("sz.manager") as client:
        response = client.get("/query", params=OEE_BY_LINE, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA[fmt]


def test_format_wins_over_accept_and_unknown_formats_are_406(api: Api) -> None:
    with api.client("sz.manager") as client:
        csv = client.get(
            "/query",
            params={**OEE_BY_LINE, "format": "csv"},
            headers={"Accept": "application/json"},
        )
        bad = client.get("/query", params={**OEE_BY_LINE, "format": "pdf"})
        unknown = client.get("/query", params=OEE_BY_LINE, headers={"Accept": "image/png"})
        only_json = client.get("/health", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert (bad.status_code, bad.headers["content-type"]) == (406, PROBLEM)
    assert (
        bad.json()["detail"] == "Unknown format 'pdf': use one of json, csv, xlsx, parquet, arrow."
    )
    assert (
        unknown.status_code == 406
        and "format=json|csv|xlsx|parquet|arrow" in unknown.json()["detail"]
    )
    assert only_json.status_code == 406 and "use format=json" in only_json.json()["detail"]


def test_post_query_answers_like_get(api: Api) -> None:
    body = {
        "metrics": ["oee"],
        "by": ["plant"],
        "from": FROM,
        "to": TO,
        "grain": "day",
        "lang": "zh",
    }
    with api.client("admin") as client:
        posted = client.post("/query", json=body)
        got = client.get(
            "/query",
            params={"metrics": "oee", "by": ["plant", "day"], "from": FROM, "to": TO, "lang": "zh"},
        )
    assert posted.status_code == 200, posted.text
    assert posted.json()["rows"] == got.json()["rows"]
    assert posted.headers["etag"] == got.headers["etag"]  # one normalised request
    want = expected(
        api, None, metrics=["oee"], by=["plant"], start=FROM, end=TO, grain="day", lang="zh"
    )
    assert_frame_equal(parse(posted.content, "json", want), want, check_exact=True)
    assert set(want["plant_label"]) == {"苏州工厂", "东莞工厂", "海防工厂"}


# -- tokens and scope ------------------------------------------------------------------


def test_no_token_or_a_bad_one_is_401(api: Api) -> None:
    with api.client() as client:
        missing = client.get("/query", params=OEE_BY_LINE)
        bad = client.get("/metrics", headers={"Authorization": "Bearer andon_pat_guess"})
        basic = client.get("/metrics", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    for response in (missing, bad, basic):
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["www-authenticate"] == 'Bearer realm="andon"'
    assert "andon tokens create --user NAME" in missing.json()["detail"]
    assert bad.json()["detail"].startswith("This token is unknown, revoked or expired")


def test_a_suzhou_token_never_sees_dongguan_rows(api: Api) -> None:
    with api.client("sz.manager") as client:
        by_plant = client.get(
            "/query", params={"metrics": "oee", "by": "plant", "from": FROM, "to": TO}
        )
        dongguan = client.get(
            "/query",
            params={"metrics": "oee", "by": "line", "where": "plant=DG", "from": FROM, "to": TO},
        )
        lines = client.get("/dimensions/line/values")
        plants = client.get("/dimensions/plant/values", params={"format": "csv"})
        asked = client.get("/ask", params={"q": "OEE of Dongguan last week"})
    assert [row["plant_id"] for row in by_plant.json()["rows"]] == ["SZ"]
    assert by_plant.json()["scope"] == ["SZ"]
    assert dongguan.status_code == 200 and dongguan.json()["rows"] == []
    assert {v["key"] for v in lines.json()["values"]} == {
        "SZ-ASSY1",
        "SZ-PACK1",
        "SZ-SMT1",
        "SZ-SMT2",
    }
    assert {v["plant"] for v in lines.json()["values"]} == {"SZ"}
    assert pl.read_csv(io.BytesIO(plants.content[3:]))["key"].to_list() == ["SZ"]
    answer = asked.json()
    assert answer["answered"] is False and answer["candidates"] == ["SZ"]
    assert "outside the plants you may see" in answer["clarification"]


def test_vietnamese_labels_name_values_in_english(api: Api) -> None:
    """Value names come from the dimension tables, which hold English and Chinese only."""
    params = {"metrics": "oee", "by": "plant", "from": FROM, "to": TO}
    with api.client("sz.manager") as client:
        plants = client.get("/dimensions/plant/values").json()["values"]
        vi = client.get("/query", params={**params, "lang": "vi"})
        en = client.get("/query", params={**params, "lang": "en"})
        french = client.get("/query", params={**params, "lang": "fr"})
    assert [(v["key"], v["label_vi"]) for v in plants] == [("SZ", plants[0]["label_en"])]
    assert plants[0]["label_zh"] != plants[0]["label_en"]
    assert vi.status_code == 200 and vi.json()["rows"] == en.json()["rows"]
    assert french.status_code == 422


def test_dongguan_and_every_plant_tokens_see_their_plants(api: Api) -> None:
    params = {"metrics": "oee", "by": "plant", "from": FROM, "to": TO}
    with api.client("dg.analyst") as dg, api.client("admin") as admin:
        assert [r["plant_id"] for r in dg.get("/query", params=params).json()["rows"]] == ["DG"]
        every = admin.get("/query", params=params).json()["rows"]
    assert sorted(r["plant_id"] for r in every) == ["DG", "HP", "SZ"]
    want = expected(api, None, metrics=["oee"], by=["plant"], start=FROM, end=TO)
    assert {r["plant_id"]: r["oee"] for r in every} == dict(
        zip(want["plant_id"], want["oee"], strict=True)
    )


def test_a_user_without_plants_is_403(api: Api) -> None:
    with api.client("nobody") as client:
        response = client.get("/metrics")
    assert response.status_code == 403 and response.headers["content-type"] == PROBLEM
    assert "andon users grant" in response.json()["detail"]


def test_tokens_are_stored_hashed_and_revoking_or_disabling_ends_them(api: Api) -> None:
    tokens = ApiTokens(api.state)
    made = tokens.create("dg.analyst", name="revoke me", actor="tests")
    with sqlite3.connect(api.state) as db:
        dump = "\n".join(db.iterdump())
    assert made.token not in dump and made.token[len("andon_pat_") :] not in dump
    assert made.token.startswith("andon_pat_") and len(made.token) == len("andon_pat_") + 43
    headers = {"Authorization": f"Bearer {made.token}"}
    with api.client() as client:
        assert client.get("/metrics", headers=headers).status_code == 200
        assert tokens.get(made.info.id).last_used_at is not None
        tokens.revoke(made.info.id, actor="tests")
        assert client.get("/metrics", headers=headers).status_code == 401
    accounts = Accounts(api.state)
    accounts.add_user("short.lived", role="viewer", plants=["HP"])
    other = tokens.create("short.lived", name="x", actor="tests").token
    with api.client() as client:
        headers = {"Authorization": f"Bearer {other}"}
        assert client.get("/metrics", headers=headers).status_code == 200
        accounts.disable("short.lived")
        refused = client.get("/metrics", headers=headers)
    assert refused.status_code == 401 and "disabled" in refused.json()["detail"]


def test_users_make_list_and_revoke_their_own_tokens_through_the_api(api: Api) -> None:
    with (
        api.client("dg.analyst") as dg,
        api.client("sz.manager") as sz,
        api.client("admin") as admin,
    ):
        made = dg.post("/tokens", json={"name": "Power BI", "expires_days": 30})
        assert made.status_code == 201, made.text
        body = made.json()
        assert body["token"].startswith("andon_pat_") and body["user"] == "dg.analyst"
        listed = dg.get("/tokens").json()["tokens"]
        assert {t["user"] for t in listed} == {"dg.analyst"} and "token" not in listed[0]
        assert body["id"] in {t["id"] for t in listed}
        assert {t["user"] for t in admin.get("/tokens").json()["tokens"]} >= {
            "dg.analyst",
            "sz.manager",
        }
        other = sz.delete(f"/tokens/{body['id']}")
        assert other.status_code == 404 and other.headers["content-type"] == PROBLEM
        new_headers = {"Authorization": f"Bearer {body['token']}"}
        assert dg.get("/metrics", headers=new_headers).status_code == 200
        revoked = dg.delete(f"/tokens/{body['id']}")
        assert revoked.status_code == 200 and revoked.json()["revoked_by"] == "dg.analyst"
        assert dg.get("/metrics", headers=new_headers).status_code == 401
        bad = dg.post("/tokens", json={"name": " "})
    assert bad.status_code == 422 and "Give the token a name" in bad.json()["detail"]
    api.flush_audit()
    actions = {(e.action, e.username) for e in Accounts(api.state).audit_log(limit=10_000)}
    assert {("token_create", "dg.analyst"), ("token_revoke", "dg.analyst")} <= actions


# -- problems ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        (
            {"metrics": "shoes"},
            "Unknown metric 'shoes'. Known metrics: annualized_consumption_turnover,",
        ),
        (
            {"metrics": "oee", "by": "customer"},
            "Metric 'oee' cannot be grouped by 'customer': it allows plant, line, equipment, "
            "shift and the time grains.",
        ),
        (
            {"metrics": "oee", "from": "2026-13-01"},
            "from='2026-13-01' is not a date: write it as YYYY-MM-DD, e.g. 2026-10-01.",
        ),
        (
            {"metrics": "oee", "from": "2026-10-08", "to": "2026-10-01"},
            "start 2026-10-08 must be before end 2026-10-01",
        ),
        (
            {"metrics": "oee", "where": "plant"},
            "where='plant' is not a filter: write where=DIMENSION=VALUE",
        ),
        ({"metrics": "oee", "grain": "hour"}, "Fix these and send it again: grain:"),
    ],
)
def test_bad_requests_get_a_problem_saying_what_to_change(
    api: Api, params: dict, detail: str
) -> None:
    with api.client("sz.manager") as client:
        response = client.get("/query", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"].startswith("urn:andon:problem:") and body["status"] == 422
    assert body["detail"].startswith(detail), body["detail"]


def test_unknown_metric_dimension_and_path_are_404(api: Api) -> None:
    with api.client("sz.manager") as client:
        metric = client.get("/metrics/shoes")
        dim = client.get("/dimensions/colour/values")
        path = client.get("/kpis")
    for response in (metric, dim, path):
        assert response.status_code == 404 and response.headers["content-type"] == PROBLEM
    assert metric.json()["detail"].startswith("Unknown metric 'shoes'. Known metrics:")
    assert dim.json()["detail"].startswith(
        "Unknown dimension 'colour'. Known dimensions: plant, line"
    )
    assert "/api/docs" in path.json()["detail"]


def test_too_many_rows_and_too_many_requests(strict_api: Api) -> None:
    with strict_api.client("admin") as client:
        many = client.get(
            "/query", params={"metrics": "oee", "by": "equipment", "from": FROM, "to": TO}
        )
        assert many.status_code == 422 and many.headers["content-type"] == PROBLEM
        body = many.json()
        assert body["detail"].startswith("too many rows: the answer has ")
        assert "narrow the request" in body["detail"] and body["limit"] == 5 and body["rows"] > 5
        # 1 request a second, 3 at once: a burst runs dry within a few requests however slow
        # the machine (each request refills the bucket by its own duration only)
        answers = [client.get("/health") for _ in range(12)]
    statuses = [answer.status_code for answer in answers]
    assert statuses[0] == 200 and 429 in statuses  # one query spent: at least 2 left
    limited = answers[statuses.index(429)]
    assert limited.headers["content-type"] == PROBLEM
    assert int(limited.headers["retry-after"]) >= 1
    assert "wait" in limited.json()["detail"]
    with strict_api.client("sz.manager") as client:  # a bucket per token
        assert client.get("/metrics").status_code == 200  # not a metric answer: no row limit
    time.sleep(1.05)
    with strict_api.client("admin") as client:
        assert client.get("/health").status_code == 200


# -- ETag, 304, cache, audit -----------------------------------------------------------------


def test_answers_have_an_etag_and_if_none_match_gets_304(api: Api) -> None:
    build_id = _build_id(api)
    with api.client("sz.manager") as sz, api.client("dg.analyst") as dg:
        first = sz.get("/query", params=OEE_BY_LINE)
        again = sz.get("/query", params={**OEE_BY_LINE, "metrics": "oee, availability"})
        tag = first.headers["etag"]
        not_modified = sz.get("/query", params=OEE_BY_LINE, headers={"If-None-Match": tag})
        csv = sz.get(
            "/query", params={**OEE_BY_LINE, "format": "csv"}, headers={"If-None-Match": tag}
        )
        other_scope = dg.get("/query", params=OEE_BY_LINE)
        stale = sz.get("/query", params=OEE_BY_LINE, headers={"If-None-Match": '"0123"'})
    assert first.headers["x-andon-build"] == build_id
    assert tag.startswith('"') and again.headers["etag"] == tag and again.content == first.content
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == tag
    assert csv.status_code == 200 and csv.headers["etag"] != tag
    assert other_scope.headers["etag"] != tag
    assert stale.status_code == 200 and stale.content == first.content


def test_api_calls_go_to_the_audit_log(api: Api) -> None:
    with api.client("dg.analyst") as client:
        client.get(
            "/query", params={"metrics": "first_pass_yield", "by": "plant", "from": FROM, "to": TO}
        )
        client.get("/ask", params={"q": "scrap rate by line last week"})
    with api.client() as client:
        client.get("/metrics")
    api.flush_audit()
    log = Accounts(api.state).audit_log(limit=10_000)
    query = [
        e for e in log if e.action == "query" and e.detail.get("metrics") == ["first_pass_yield"]
    ]
    assert query and query[0].username == "dg.analyst" and query[0].detail["via"] == "api"
    assert query[0].detail["rows"] == 1 and query[0].detail["status"] == 200
    asks = [e for e in log if e.action == "ask" and e.username == "dg.analyst"]
    assert asks and asks[0].detail["question"] == "scrap rate by line last week"
    refused = [e for e in log if e.action == "api_call" and not e.ok and e.username is None]
    assert any(e.detail.get("refused") == "no token" for e in refused)


# -- catalogue, dimensions, ask, health, alerts ------------------------------------------


def test_the_catalogue_describes_every_metric(api: Api) -> None:
    registry = metrics.load_registry()
    with api.client("sz.manager") as client:
        catalogue = client.get("/metrics").json()
        one = client.get("/metrics/oee").json()
        xlsx = client.get("/metrics", params={"format": "xlsx"})
    assert [m["name"] for m in catalogue["metrics"]] == list(registry.metrics)
    oee = next(m for m in catalogue["metrics"] if m["name"] == "oee")
    assert (oee["label_en"], oee["label_zh"], oee["unit"], oee["target"]) == (
        "OEE",
        "设备综合效率",
        "ratio",
        0.85,
    )
    assert (oee["label_vi"], oee["amber_band"]) == ("Hiệu suất thiết bị tổng thể (OEE)", 0.02)
    mtbf = next(m for m in catalogue["metrics"] if m["name"] == "mtbf_hours")
    assert mtbf["amber_band"] == pytest.approx(0.16)  # the default: 2 % of the 8 h target
    assert next(m for m in catalogue["metrics"] if m["name"] == "cogs")["amber_band"] is None
    assert (one["label_vi"], one["amber_band"]) == ("Hiệu suất thiết bị tổng thể (OEE)", 0.02)
    assert oee["dimensions"] == ["plant", "line", "equipment", "shift"]
    assert oee["owner"] == registry.metrics["oee"].owner
    assert one["format"] == {"style": "percent", "decimals": 1}
    sheet = pl.read_excel(io.BytesIO(xlsx.content))
    assert sheet.height == len(registry.metrics)
    assert (
        sheet.filter(pl.col("name") == "oee")["dimensions"].item()
        == "plant, line, equipment, shift"
    )


def test_dimensions_list_their_labels_and_metrics(api: Api) -> None:
    with api.client("sz.manager") as client:
        body = client.get("/dimensions").json()
    line = next(d for d in body["dimensions"] if d["name"] == "line")
    assert (line["label_en"], line["key"]) == ("Line", "line_id")
    assert (line["label_zh"], line["label_vi"]) == ("产线", "Dây chuyền")
    assert "oee" in line["metrics"]
    assert [g["name"] for g in body["grains"]] == ["day", "week", "month", "quarter", "year"]
    month = body["grains"][2]
    assert (month["label_en"], month["label_zh"], month["label_vi"]) == ("Month", "月", "Tháng")


def test_ask_answers_with_the_data_of_metrics_query(api: Api) -> None:
    with api.client("sz.manager") as client:
        answer = client.get("/ask", params={"q": "OEE by line", "as_of": "2026-10-11"})
        csv = client.get(
            "/ask", params={"q": "OEE by line", "as_of": "2026-10-11", "format": "csv"}
        )
        unclear = client.get("/ask", params={"q": "OEE of Dongguan", "format": "csv"})
        bad_day = client.get("/ask", params={"q": "OEE", "as_of": "yesterday"})
    body = answer.json()
    assert body["answered"] is True and body["interpretation"]["metrics"] == ["oee"]
    reading = body["interpretation"]
    want = expected(
        api, {"SZ"}, metrics=["oee"], by=["line"], start=reading["start"], end=reading["end"]
    )
    got = pl.DataFrame(body["rows"])
    assert got.select(want.columns).sort("line_id").equals(want.sort("line_id"))
    assert (
        pl.read_csv(io.BytesIO(csv.content[3:]))["line_id"].sort().to_list()
        == want["line_id"].sort().to_list()
    )
    assert unclear.status_code == 422 and unclear.json()["candidates"] == ["SZ"]
    assert bad_day.status_code == 422 and bad_day.json()["detail"].startswith(
        "as_of='yesterday' is not a date"
    )


def _build_id(api: Api) -> str:
    from warehouse.connections import connect_published

    con = connect_published(api.warehouse)
    try:
        return con.execute(
            "select build_id from andon_meta.build_log order by started_at desc limit 1"
        ).fetchall()[0][0]
    finally:
        con.close()


def _as_of(api: Api):  # noqa: ANN202
    from metrics.asof import as_of_date
    from warehouse.connections import connect_published

    con = connect_published(api.warehouse)
    try:
        return as_of_date(con)
    finally:
        con.close()


def test_health_freshness_and_the_last_build(api: Api) -> None:
    build_id = _build_id(api)
    with api.client("sz.manager") as client:
        health = client.get("/health").json()
        fresh = client.get("/freshness").json()
        last = client.get("/builds/last").json()
    assert health["build_id"] == build_id and health["status"] == "ok"
    assert health["as_of"] == fresh["as_of"] == _as_of(api).isoformat()
    assert health["last_build"]["status"] == last["status"] == "passed"
    assert last["build_id"] == build_id and last["failures"] == 0
    sources = {(s["source"], s["entity"]) for s in fresh["sources"]}
    assert ("mes", "equipment_states") in sources
    assert health["freshness"] in ("pass", "warn", "error")


def test_alerts_of_the_token_plants_and_acknowledging_one(api: Api) -> None:
    with (
        api.client("sz.manager") as sz,
        api.client("dg.analyst") as dg,
        api.client("admin") as admin,
    ):
        mine = sz.get("/alerts").json()["alerts"]
        every = admin.get("/alerts").json()["alerts"]
        dongguan = next(a for a in every if a["plant"] == "DG")
        assert {a["plant"] for a in mine} == {"SZ"} and {a["plant"] for a in every} >= {"SZ", "DG"}
        other = sz.post(f"/alerts/{dongguan['token']}/ack")
        not_allowed = dg.post(f"/alerts/{dongguan['token']}/ack")
        acked = sz.post(f"/alerts/{mine[0]['token']}/ack", json={"by": "Wang Fang at the line"})
        csv = sz.get("/alerts", params={"format": "csv"})
    assert other.status_code == 404 and other.headers["content-type"] == PROBLEM
    assert not_allowed.status_code == 403 and "dg.analyst" in not_allowed.json()["detail"]
    assert acked.status_code == 200 and acked.json()["acked_by"] == "Wang Fang at the line"
    assert pl.read_csv(io.BytesIO(csv.content[3:]))["plant"].to_list() == ["SZ"]
    log = Accounts(api.state).audit_log(actions=["alert_ack"])
    assert {(e.username, e.ok) for e in log} >= {("sz.manager", True), ("sz.manager", False)}


# -- OpenAPI and the docs ----------------------------------------------------------------


def test_the_openapi_document_describes_every_endpoint_and_the_docs_are_local(api: Api) -> None:
    with api.client() as client:
        doc = client.get("/openapi.json").json()
        swagger = client.get(api.server.url + "/api/docs").text
        redoc = client.get(api.server.url + "/api/redoc").text
        bundle = client.get(api.server.url + "/api/docs-static/swagger-ui-bundle.js")
    paths = doc["paths"]
    assert set(paths) == {
        "/api/v1/metrics",
        "/api/v1/metrics/{name}",
        "/api/v1/dimensions",
        "/api/v1/dimensions/{name}/values",
        "/api/v1/query",
        "/api/v1/ask",
        "/api/v1/health",
        "/api/v1/freshness",
        "/api/v1/builds/last",
        "/api/v1/alerts",
        "/api/v1/alerts/{token}/ack",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
    }
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation["summary"] and operation["description"], (method, path)
            assert operation["security"] == [{"token": []}], (method, path)
            assert "401" in operation["responses"], (method, path)
    assert set(paths["/api/v1/query"]["get"]["responses"]["200"]["content"]) >= {
        "application/json",
        "text/csv",
        "application/vnd.apache.parquet",
    }
    assert "http" not in swagger.replace("http-equiv", "") and "cdn" not in redoc.lower()
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
