"""The set-up resolves every extra the .venv holds in one pip call, so that no order of
`build.py` commands leaves `pip check` unhappy (serve, then train, then bench once left
tensorflowjs beside a packaging it does not accept). pip itself is faked here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import environment


@pytest.fixture
def pip_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """A .venv in tmp_path whose pip calls are recorded, not run."""
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    monkeypatch.setattr(environment, "VENV", venv)
    monkeypatch.setattr(environment, "VENV_PYTHON", venv / "bin" / "python")
    monkeypatch.setattr(environment, "EXTRAS", venv / ".animerec-extras")
    monkeypatch.setattr(environment, "in_venv", lambda: True)
    calls: list[list[str]] = []
    monkeypatch.setattr(environment.subprocess, "run", lambda command, **_: calls.append(command))
    return calls


def installed_by(calls: list[list[str]]) -> list[str]:
    return [command[-1] for command in calls]


@pytest.mark.parametrize(
    ("order", "specs"),
    [
        ([("site",), ("train",), ("site", "test")], [".[site]", ".[site,train]",
                                                     ".[site,test,train]"]),
        ([("site", "test", "train"), ("site",), ("train",)], [".[site,test,train]"]),
        ([(), ("train",), ()], [".", ".[train]"]),
    ],
)  # fmt: skip
def test_each_pip_call_resolves_all_the_extras_installed(pip_calls, order, specs) -> None:
    for extras in order:
        environment.ensure_python(extras, [])
    assert installed_by(pip_calls) == specs


def test_a_changed_pyproject_installs_everything_again_together(pip_calls, monkeypatch) -> None:
    environment.ensure_python(("site", "train"), [])
    environment.ensure_python(("site",), [])
    assert installed_by(pip_calls) == [".[site,train]"]
    stamp = next(environment.VENV.glob(".installed.*"))
    monkeypatch.setattr(environment, "_stamp", lambda *parts: Path(".installed.changed"))
    environment.ensure_python(("site",), [])
    assert installed_by(pip_calls) == [".[site,train]", ".[site,train]"]
    assert not stamp.exists() and environment.installed_extras() == ("site", "train")
