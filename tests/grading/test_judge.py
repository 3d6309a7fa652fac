"""The judge: hidden tests run outside the learner's kernel, on answers carried out as data.

The whole path (a class autograded in the sandbox, three cheats that used to win full marks)
is in ``test_hostile_submissions.py``; every module's round trip grades through the judge too.
Here: what may cross from the learner's kernel into the judge, and the judge's protocol.
"""
from __future__ import annotations

import asyncio
import json

import nbformat
import numpy as np
import pandas as pd
import pytest

from chiiki_iot.classroom.answer_transfer import TAG, CallableAnswer, Unreadable, decode, encode
from chiiki_iot.classroom.judge_client import LEARNER, LOCKED, TEST, JudgeProcess, NotebookPlan
from chiiki_iot.kpi import Plan


# -- what crosses from the learner's kernel ----------------------------------------------------

class EqualsEverything:
    def __eq__(self, other):
        return True


class SneakyText(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


def test_an_object_that_equals_everything_arrives_as_a_value_that_equals_nothing():
    value = decode(encode(EqualsEverything()))
    assert isinstance(value, Unreadable) and value != 32 and not (value == 32)
    inside = decode(encode({"gap": [EqualsEverything()]}))
    assert inside["gap"][0] != 32


def test_subclasses_of_plain_types_arrive_as_the_plain_type():
    value = decode(encode(SneakyText("ちがう答え")))
    assert type(value) is str and value != "正しい答え"


def test_only_the_toolkits_own_classes_are_rebuilt_and_without_the_learners_code():
    plan = decode(encode(Plan.from_casebook("宇城市")))
    assert type(plan) is Plan and plan.period == (2019, 2021) and len(plan.indicators) == 7
    forged = json.dumps({TAG: "object", "class": "os:_wrap_close", "fields": {}})
    assert isinstance(decode(forged), Unreadable)
    forged = json.dumps({TAG: "object", "class": "chiiki_iot.kpi.plan:Plan.__init__.__globals__", "fields": {}})
    assert isinstance(decode(forged), Unreadable)


@pytest.mark.parametrize("text", ["{not json", json.dumps({TAG: "ndarray", "npy": "!!"}), "x" * 20_000_001,
                                  json.dumps({TAG: "no-such-kind"}), json.dumps({TAG: "dict", "items": 3})])
def test_malformed_or_oversized_answers_are_unreadable_not_a_crash(text):
    assert isinstance(decode(text), Unreadable)


def test_a_too_deeply_nested_answer_is_cut_off():
    value = decode("[" * 500 + "]" * 500)
    for _ in range(500):
        if not isinstance(value, list):
            break
        value = value[0]
    assert isinstance(value, Unreadable)


def test_data_answers_arrive_equal_with_their_types():
    frame = pd.DataFrame({"時刻": pd.to_datetime(["2024-07-01 10:00", "2024-07-01 11:00"]).tz_localize("Asia/Tokyo"),
                          "水位_cm": [12.5, np.nan], "地区": pd.Categorical(["A", "B"])},
                         index=pd.Index([3, 7], name="番号"))
    pd.testing.assert_frame_equal(decode(encode(frame)), frame)
    series = frame["水位_cm"]
    pd.testing.assert_series_equal(decode(encode(series)), series)
    array = np.arange(6, dtype="int16").reshape(2, 3)
    back = decode(encode(array))
    assert back.dtype == array.dtype and (back == array).all()
    values = {"a": (1, 2.5, float("inf")), "b": {3, 4}, "c": [None, True, "水"], 1: np.float32(0.5)}
    assert decode(encode(values)) == values


def test_a_function_crosses_as_its_name_and_parameters_only():
    def keikai_level(wbgt, *, kijun=28):
        return 3

    value = decode(encode(keikai_level, name="keikai_level"))
    assert isinstance(value, CallableAnswer) and value.name == "keikai_level"
    assert str(value.signature()) == "(wbgt, *, kijun=None)"


# -- which cells go where ----------------------------------------------------------------------

def _cell(source, **nbgrader):
    cell = nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = nbgrader
    return cell


def test_the_plan_hands_over_only_answers_that_tests_use_and_never_a_course_name():
    nb = nbformat.v4.new_notebook(cells=[
        _cell("import pandas as pd\nfrom chiiki_iot.checks import Checks\nchecks = Checks('x')\nDATA = [1, 2]",
              locked=True, grade=False, solution=False, grade_id="setup"),
        _cell("gap = 32\nchecks = None\nDATA = [9]\nscratch = 1", solution=True, grade=False, grade_id="q1"),
        _cell("checks('q1')\nassert gap == DATA[0] * 32", grade=True, solution=False, locked=True, grade_id="q1_test"),
        _cell("table = pd.DataFrame()\ntable['x'] = [1]", solution=True, grade=False, grade_id="q2"),
        _cell("assert len(table) == 1", grade=True, solution=False, locked=True, grade_id="q2_test"),
    ])
    plan = NotebookPlan.of(nb)
    assert plan.roles == [LOCKED, LEARNER, TEST, LEARNER, TEST]
    assert plan.handed == {1: ["gap"], 3: ["table"]}


# -- the judge process -------------------------------------------------------------------------

def test_the_judge_runs_course_code_on_answers_and_calls_learner_functions_back(tmp_path):
    calls = []

    async def learner_kernel(call):
        calls.append(call["name"])
        return {"op": "raise", "ename": "ZeroDivisionError", "evalue": "division by zero"}

    async def scenario():
        judge = JudgeProcess(None, None, "a")
        await judge.start()
        try:
            await judge.request({"op": "run", "code": "from chiiki_iot.checks import Checks, expect\n"
                                 "checks = Checks('t')\nchecks.add('q1', 'gap', expect.number())\n"
                                 "checks.add('q2', 'heikin', lambda v: [])"}, 60)
            await judge.request({"op": "bind", "values": {"gap": encode(30),
                                                          "heikin": encode(len, name="heikin")}}, 60)
            wrong = await judge.request({"op": "run", "code": "checks('q1')\nwith checks.grading('q1'):\n"
                                         "    assert gap == 32, '差は『目標 − 現状』で求めます。'"}, 60)
            called = await judge.request({"op": "run", "code": "with checks.grading('q2'):\n"
                                          "    assert heikin([1, 2]) == 1.5"}, 60, on_call=learner_kernel)
            return wrong["outputs"], called["outputs"]
        finally:
            await judge.close()

    wrong, called = asyncio.run(scenario())
    assert wrong[0]["output_type"] == "stream" and "答えの形は大丈夫です" in wrong[0]["text"]
    error = wrong[-1]
    assert error["output_type"] == "error" and error["ename"] == "WrongAnswer"
    assert "差は『目標 − 現状』で求めます。" in error["evalue"]
    assert error["traceback"] == [f"WrongAnswer: {error['evalue']}"], "no line of the test's code is shown"
    assert calls == ["heikin"]
    assert "ZeroDivisionError が起きました" in called[-1]["evalue"]
