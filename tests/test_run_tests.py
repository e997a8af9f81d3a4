"""`build.py test` runs a test again only when its own failure was a renderer crash, at most
RERUNS times; any other failure is final. Each attempt keeps its report, and the tests that
passed only on a rerun are named. pytest is faked (it writes the JUnit report a real run would),
but for one run of real pytest with run_tests' workers on a small suite."""

from __future__ import annotations

import os
import shutil
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tools import run_tests
from tools.run_tests import RERUNS, failures_in, with_reruns

CRASH = "playwright._impl._errors.Error: Page.is_hidden: Target crashed"
CASE = '<testcase classname="{cls}" name="{name}" file="{file}" line="1">{body}</testcase>'
RESCUED = "passed only on rerun: "
SUITE = Path(__file__).parent / "fixtures" / "rerun_suite.py"
MODULES = {"a": "tests.browser.test_view", "b": "tests.test_parsers"}


def junit(outcomes: dict[str, str]) -> str:
    """A JUnit report (xunit1, as tools/run_tests asks for) of tests named by `outcomes`' keys:
    "pass", "crash" (a failure naming the crash), "crash-setup" (an error in a fixture), or
    "fail" (an assertion)."""
    bodies = {
        "pass": "",
        "crash": f'<failure message="{CRASH}">page.is_hidden(...)</failure>',
        "crash-setup": f'<error message="failed on setup">{CRASH}</error>',
        "fail": '<failure message="AssertionError: assert 3 == 4">E  assert 3 == 4</failure>',
    }
    cases = [
        CASE.format(cls=cls, name=name, file=cls.replace(".", "/") + ".py", body=bodies[outcome])
        for name, outcome in outcomes.items()
        for cls in [MODULES[name[0]]]
    ]
    return f'<testsuites><testsuite name="pytest">{"".join(cases)}</testsuite></testsuites>'


def node(name: str) -> str:
    return MODULES[name[0]].replace(".", "/") + ".py::" + name


def fake_pytest(attempts: list[dict[str, str]]) -> tuple[list[list[str]], run_tests.Runner]:
    """A pytest whose N-th call reports `attempts[N]` (exit code 1 on any failure), and the
    argument lists it was called with."""
    calls: list[list[str]] = []

    def run(extra: list[str], report: Path) -> int:
        outcomes = attempts[len(calls)]
        calls.append(extra)
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(junit(outcomes))
        return int(any(o != "pass" for o in outcomes.values()))

    return calls, run


@pytest.fixture(autouse=True)
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(run_tests, "REPORTS", tmp_path)
    monkeypatch.setattr(run_tests, "CRASH_DUMPS", tmp_path / "dumps")
    return tmp_path


def rescued(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The tests the run named as passed only on a rerun."""
    lines = capsys.readouterr().err.splitlines()
    named = [line.removeprefix(RESCUED) for line in lines if line.startswith(RESCUED)]
    assert len(named) <= 1
    return named[0].split() if named else []


def rerun_args(*final: str) -> list[str]:
    deselect = [arg for test in final for arg in ("--deselect", node(test))]
    return ["-x", "--last-failed", "--last-failed-no-failures=none", *deselect]


def test_a_crash_is_told_from_other_failures_by_each_tests_own_report(reports: Path) -> None:
    path = reports / "r.xml"
    path.write_text(junit({"a1": "crash", "a2": "crash-setup", "b1": "fail", "b2": "pass"}))
    found = failures_in(path)
    assert found.crashed == [node("a1"), node("a2")] and found.other == [node("b1")]
    assert failures_in(reports / "missing.xml") == run_tests.Failures([], [])


def test_only_crashed_tests_are_rerun_and_a_real_failure_stays_final(
    reports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls, run = fake_pytest([
        {"a1": "crash", "a2": "crash", "b1": "fail", "b2": "pass"},
        {"a1": "pass", "a2": "crash"},
        {"a2": "pass"},
    ])  # fmt: skip
    assert with_reruns(["-x"], run) == 1  # b1's assertion fails the run, reruns or not
    assert calls == [["-x"], rerun_args("b1"), rerun_args("b1")]
    assert sorted(p.name for p in reports.glob("pytest-report-*.xml")) == [
        f"pytest-report-{n}.xml" for n in (1, 2, 3)
    ]
    assert rescued(capsys) == [node("a1"), node("a2")]


def test_crashes_that_pass_on_a_rerun_pass_and_are_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    calls, run = fake_pytest([{"a1": "crash", "a2": "crash-setup", "b2": "pass"}, {"a1": "pass",
                              "a2": "pass"}])  # fmt: skip
    assert with_reruns(["-x"], run) == 0
    assert calls == [["-x"], rerun_args()]
    assert rescued(capsys) == [node("a1"), node("a2")]


def test_a_crash_quotes_each_workers_chromium_but_its_dbus_noise(
    reports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (reports / "chromium-gw0.log").write_text(
        "T pw:browser [pid=1][err] [1:2:ERROR:dbus/bus.cc:405] Failed to connect to the bus\n"
        "T pw:browser [pid=1][err] Received signal 11 SEGV_MAPERR 000000000000\n"
        "T pw:browser [pid=1] <gracefully close start>\n"
    )
    (reports / "chromium-gw1.log").write_text("")
    _, run = fake_pytest([{"a1": "crash"}, {"a1": "pass"}])
    assert with_reruns([], run) == 0
    said = capsys.readouterr().err.splitlines()
    start = said.index("chromium-gw0.log:")
    assert said[start:start + 3] == [
        "chromium-gw0.log:",
        "T pw:browser [pid=1][err] Received signal 11 SEGV_MAPERR 000000000000",
        "chromium-gw1.log:",
    ]


def minidump(signal: int, si_code: int, fault: int, rip: int, rsp: int) -> bytes:
    """A minidump as Crashpad writes one, with only what tools/crash_dumps reads: the exception
    of thread 7 ("chromium"), its registers, and one module, /usr/lib/chromium/chromium at
    0x5000_0000 (0x1000_0000 bytes)."""

    def text(s: str) -> bytes:
        return struct.pack("<I", 2 * len(s)) + s.encode("utf-16-le")

    exception, context, modules = 68, 236, 492  # after the header (32) and 3 directory entries
    name = modules + 4 + 108
    names = name + len(text("/usr/lib/chromium/chromium"))
    thread_name = names + 4 + 12
    head = struct.pack("<4sIIIIIQ", b"MDMP", 0xA793, 3, 32, 0, 0, 0) + struct.pack(
        "<9I", 6, 168, exception, 4, 112, modules, 24, 16, names
    )
    record = struct.pack("<IIIIQQII", 7, 0, signal, si_code, 0, fault, 0, 0) + bytes(120)
    registers = bytearray(0x100)
    struct.pack_into("<Q", registers, 0x98, rsp)
    struct.pack_into("<Q", registers, 0xF8, rip)
    module = struct.pack("<QIIII", 0x5000_0000, 0x1000_0000, 0, 0, name) + bytes(84)
    return (head + record + struct.pack("<II", 0x100, context) + bytes(registers)
            + struct.pack("<I", 1) + module + text("/usr/lib/chromium/chromium")
            + struct.pack("<IIQ", 1, 7, thread_name) + text("chromium"))  # fmt: skip


def test_a_crash_quotes_the_crash_dumps_written_during_the_run(
    reports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dumps = reports / "dumps"
    dumps.mkdir()
    (dumps / "old.dmp").write_bytes(minidump(5, 128, 0, 0x5000_0010, 0x7FFF_0000))
    os.utime(dumps / "old.dmp", (1, 1))  # from before the run: not this run's
    _, crash_once = fake_pytest([{"a1": "crash"}, {"a1": "pass"}])

    def run(extra: list[str], report: Path) -> int:
        if not extra:  # the first attempt: a renderer dies, Chromium writes its dump
            (dumps / "new.dmp").write_bytes(minidump(11, 2, 0x3897_C3CD_D000, 0x59C7_14BD,
                                                     0x3897_C3CD_A5B0))  # fmt: skip
            (dumps / "partial.dmp").write_bytes(b"MDMP")
        return crash_once(extra, report)

    assert with_reruns([], run) == 0
    said = sorted(line for line in capsys.readouterr().err.splitlines() if "crash dump" in line)
    assert said[0] == (
        "crash dump new.dmp: SIGSEGV (si_code 2) at chromium+0x9c714bd on thread chromium, "
        "faulting at 0x3897c3cdd000 (+10832 bytes from the stack pointer)")  # fmt: skip
    assert said[1].startswith("crash dump partial.dmp: unreadable")
    assert len(said) == 2


def test_the_reruns_run_out(capsys: pytest.CaptureFixture[str]) -> None:
    calls, run = fake_pytest([{"a1": "crash", "a2": "crash"}] + [{"a1": "crash"}] * RERUNS)
    assert with_reruns([], run) == 1
    assert len(calls) == RERUNS + 1
    assert rescued(capsys) == [node("a2")]


@pytest.mark.parametrize(
    "attempts",
    [
        [{"b1": "fail", "a1": "pass"}],  # a failure without a crash
        [{"a1": "pass"}],  # a pass
        [{"a1": "crash"}, {"a1": "fail"}],  # a crash, then a real failure in the rerun
    ],
)
def test_what_is_final(attempts: list[dict[str, str]]) -> None:
    calls, run = fake_pytest([*attempts, {"a1": "pass"}])
    assert with_reruns([], run) == int("fail" in attempts[-1].values())
    assert len(calls) == len(attempts)


def test_an_interrupted_or_empty_run_is_final() -> None:
    calls: list[list[str]] = []

    def run(extra: list[str], report: Path) -> int:
        calls.append(extra)
        return 5

    assert with_reruns([], run) == 5 and len(calls) == 1


def test_real_parallel_pytest_reruns_only_the_crash(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pytest in two workers (pytest-xdist) writes the report these tests fake: the crash is
    told from the failure, and named as a rerun selects it."""
    suite = tmp_path / "suite"
    suite.mkdir()
    shutil.copy(SUITE, suite / "test_suite.py")
    assert with_reruns([str(suite / "test_suite.py"), f"--rootdir={suite}"]) == 1
    assert rescued(capsys) == ["test_suite.py::test_crashes_once"]
    assert failures_in(reports / "pytest-report-1.xml") == run_tests.Failures(
        ["test_suite.py::test_crashes_once"], ["test_suite.py::test_fails"])  # fmt: skip
    rerun = ET.parse(reports / "pytest-report-2.xml").iter("testcase")
    assert [case.get("name") for case in rerun] == ["test_crashes_once"]  # it alone, and passed
    assert failures_in(reports / "pytest-report-2.xml") == run_tests.Failures([], [])
