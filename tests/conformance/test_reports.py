"""The three report formats, on a run result with every kind of cell: JUnit's common
schema shape and counts, an HTML page holding every cell and nothing external, the JSON
report against its documented schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree, html as lxml_html

from flickrwire.conformance import reports
from flickrwire.conformance.results import (
    Cell,
    CheckResult,
    Exchange,
    Observation,
    Pair,
    RunResult,
    ScenarioRun,
)
from flickrwire.conformance.runner import all_pairs
from flickrwire.conformance.scenarios import parse

from .schema import validate_report

RESULT_OK = {
    "method": "flickr.groups.leave",
    "ok": True,
    "payload": {},
    "code": None,
    "origin": None,
    "retryable": None,
}
RESULT_3 = {**RESULT_OK, "ok": False, "code": 3, "origin": "api", "retryable": False}
BODY = '<?xml version="1.0"?>\n<rsp stat="fail"><err code="3" msg="Not &amp; in"/></rsp>'
EXCHANGE = Exchange(
    {
        "method": "POST",
        "url": "http://127.0.0.1:1/services/rest/",
        "headers": {"authorization": 'OAuth oauth_token="REDACTED"'},
        "body": "method=flickr.groups.leave&group_id=1%40N01",
    },
    {"status": 200, "headers": {"content-type": "text/xml"}, "body": BODY},
)


def _scenarios() -> tuple[ScenarioRun, ScenarioRun]:
    alpha, beta = parse(
        [
            {
                "id": "alpha",
                "title": "Alpha <leaves> & more",
                "tags": ["leave"],
                "call": {"method": "flickr.groups.leave", "params": {"group_id": "1@N01"}},
                "expect": {"ok": True},
            },
            {
                "id": "beta",
                "transports": ["soap"],
                "call": {"method": "flickr.test.echo", "auth": "key"},
                "expect": {"ok": True},
            },
        ],
        "synthetic.json",
    )
    return ScenarioRun(alpha), ScenarioRun(beta)


def synthetic() -> RunResult:
    """Alpha on all six pairs (passed, failed, error, skipped, passed x2); beta on soap."""
    alpha, beta = _scenarios()
    ok = Observation(RESULT_OK, None, 200)
    pairs = all_pairs()
    check = CheckResult("members", "flickr.groups.members.getList", ok)
    alpha.cells = [
        Cell("alpha", pairs[0], "passed", observation=ok, retries=0, requests=1,
             checks=[check], exchanges=[EXCHANGE], duration=0.01),
        Cell("alpha", pairs[1], "failed", failures=["code: expected null, got 3", "second"],
             observation=Observation(RESULT_3, "Account is not in that group", 200),
             retries=0, requests=1, exchanges=[EXCHANGE], duration=0.02),
        Cell("alpha", pairs[2], "error", "set-up failed: boom", duration=0.001),
        Cell("alpha", pairs[3], "skipped", "needs fault injection"),
        Cell("alpha", pairs[4], "passed", observation=ok, retries=0, requests=1),
        Cell("alpha", pairs[5], "passed", observation=ok, retries=0, requests=1),
    ]  # fmt: skip
    alpha.agreed = False
    beta.cells = [
        Cell("beta", Pair("soap", "json"), "passed", observation=ok, retries=0),
        Cell("beta", Pair("soap", "xml"), "skipped", BODY),
    ]
    beta.agreed = None
    return RunResult("embedded", "http://127.0.0.1:1/services/", pairs, [alpha, beta], 0.0, 1.5)


JUNIT_ELEMENTS = {"testsuites", "testsuite", "properties", "property", "testcase", "failure",
                  "error", "skipped", "system-out"}  # fmt: skip


def test_junit_follows_the_common_schema_shape() -> None:
    result = synthetic()
    root = etree.fromstring(reports.to_junit(result))
    assert root.tag == "testsuites"
    assert {el.tag for el in root.iter()} <= JUNIT_ELEMENTS
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "flickrwire.conformance.alpha",
        "flickrwire.conformance.beta",
    ]
    for node in [root, *suites]:
        cases = node.findall(".//testcase")
        assert int(node.get("tests")) == len(cases)
        for kind, count in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
            assert int(node.get(kind)) == sum(c.find(count) is not None for c in cases)
        float(node.get("time"))
    for suite in suites:
        assert suite.get("timestamp") == "1970-01-01T00:00:00"
        for case in suite.findall("testcase"):
            assert case.get("classname") == suite.get("name")
            float(case.get("time"))
            assert len([c for c in case if c.tag in ("failure", "error", "skipped")]) <= 1
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "8",
        "1",
        "1",
        "2",
    )


def test_junit_cases_carry_pair_failure_and_reason() -> None:
    root = etree.fromstring(reports.to_junit(synthetic()))
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    failed = cases[("flickrwire.conformance.alpha", "rest/xml")].find("failure")
    assert failed.get("message") == "code: expected null, got 3"
    assert "second" in failed.text and '"code": 3' in failed.text
    skipped = cases[("flickrwire.conformance.alpha", "xmlrpc/xml")].find("skipped")
    assert skipped.get("message") == "needs fault injection"
    error = cases[("flickrwire.conformance.alpha", "xmlrpc/json")].find("error")
    assert error.get("message") == "set-up failed: boom"
    properties = {p.get("name"): p.get("value") for p in root.find("testsuite").iter("property")}
    assert properties["agreed"] == "false" and properties["title"] == "Alpha <leaves> & more"


def _cells(page: str) -> list[lxml_html.HtmlElement]:
    return lxml_html.fromstring(page).xpath("//td[@data-scenario]")


def test_html_holds_every_cell_with_its_bytes() -> None:
    result = synthetic()
    page = reports.render_html(result)
    cells = _cells(page)
    assert [(c.get("data-scenario"), c.get("data-pair")) for c in cells] == [
        (cell.scenario, cell.pair.name) for cell in result.cells
    ]
    for td, cell in zip(cells, result.cells, strict=True):
        assert cell.status in td.get("class").split()
        assert td.xpath("./details/summary")[0].text == cell.label
    # Beta does not apply to four pairs: those cells say so instead of holding details.
    doc = lxml_html.fromstring(page)
    assert len(doc.xpath("//td[contains(@class, 'na')]")) == 4
    # The response bytes come back out of the page exactly, escaped on the way in.
    texts = [pre.text_content() for pre in doc.xpath("//pre")]
    assert any(BODY in text for text in texts)
    assert any("method=flickr.groups.leave&group_id=1%40N01" in text for text in texts)
    assert "Alpha <leaves> & more" in doc.text_content()


def test_html_is_self_contained() -> None:
    page = reports.render_html(synthetic())
    doc = lxml_html.fromstring(page)
    assert not doc.xpath("//script | //link | //img | //iframe | //object")
    assert not doc.xpath("//*[@src] | //*[@href]")
    assert "url(" not in page and "@import" not in page
    assert doc.xpath("//style")


def test_html_verdict_follows_the_run() -> None:
    failing = reports.render_html(synthetic())
    assert 'class="verdict fail">1 failed, 1 errors' in failing
    result = synthetic()
    result.scenarios = result.scenarios[1:]
    assert 'class="verdict pass"' in reports.render_html(result)


def test_json_report_follows_the_schema() -> None:
    data = reports.to_json(synthetic())
    validate_report(json.loads(json.dumps(data)))
    assert data["ok"] is False
    assert data["summary"] == {
        "scenarios": 2,
        "cells": 8,
        "passed": 4,
        "failed": 1,
        "error": 1,
        "skipped": 2,
        "disagreements": 1,
    }
    alpha = data["scenarios"][0]
    assert (alpha["status"], alpha["agreed"], alpha["tags"]) == ("error", False, ["leave"])
    assert alpha["cells"][1]["result"]["code"] == 3
    assert alpha["cells"][0]["exchanges"][0]["response"]["body"] == BODY


@pytest.mark.parametrize("mangle", ["missing", "extra", "type"])
def test_the_schema_checker_catches_drift(mangle: str) -> None:
    data = json.loads(json.dumps(reports.to_json(synthetic())))
    cell = data["scenarios"][0]["cells"][0]
    if mangle == "missing":
        del cell["retries"]
    elif mangle == "extra":
        cell["colour"] = "green"
    else:
        cell["result"]["ok"] = "yes"
    with pytest.raises(AssertionError):
        validate_report(data)


def test_write_creates_every_report(tmp_path: Path) -> None:
    paths = {name: tmp_path / "out" / name for name in ("r.json", "r.xml", "r.html")}
    reports.write(
        synthetic(), json_file=paths["r.json"], junit_file=paths["r.xml"], html_file=paths["r.html"]
    )
    validate_report(json.loads(paths["r.json"].read_text(encoding="utf-8")))
    assert etree.fromstring(paths["r.xml"].read_bytes()).tag == "testsuites"
    assert paths["r.html"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
