"""README.md runs as written: every command in its bash/sh blocks, every
console transcript (its output compared line by line), every Python block
and every command of the command table (its options against ``--help``),
from a scratch directory that links the repository's inputs, so the runs a
user would make land in a temporary ``runs/``."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

# README commands CI does not run, with the reason (each must still be in the README)
EXCLUDED = {
    "./install.sh": "installs system packages and .venv; CI runs it before the tests (.ci/run)",
    ".venv/bin/python -m pytest -q": "the test suite itself",
}
INPUTS = ("configs", "docs", "examples")  # what the commands read, linked into the scratch directory
TIMEOUT_S = 300


def code_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block of ``text``."""
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M)]


def shell_commands(blocks) -> list[str]:
    """Command lines of the bash/sh blocks, in order (comments and blank lines dropped)."""
    out = []
    for lang, body in blocks:
        if lang in ("bash", "sh"):
            out += [line for line in body.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return out


def transcripts(blocks) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) of the ``$ `` lines of console blocks."""
    out = []
    for lang, body in blocks:
        if lang != "console":
            continue
        for line in body.splitlines():
            if line.startswith("$ "):
                out.append((line[2:], []))
            elif out:
                out[-1][1].append(line.rstrip())
    return out


def table_commands(text: str) -> list[tuple[str, list[str]]]:
    """(``alveosim NAME``, options written) of each row of the command table."""
    rows = []
    for m in re.finditer(r"^\| `(alveosim [a-z-]+)([^`]*)` \|", text, re.M):
        rows.append((m.group(1), sorted(set(re.findall(r"--[a-z][a-z-]*", m.group(2))))))
    return rows


TEXT = README.read_text()
BLOCKS = code_blocks(TEXT)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A directory holding links to the repository's inputs, and the
    environment a user has after ``source .venv/bin/activate``: ``alveosim``
    on PATH (running this checkout), wide terminal lines."""
    work = tmp_path_factory.mktemp("readme")
    for name in INPUTS:
        (work / name).symlink_to(ROOT / name)
    bin_dir = work / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "alveosim"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m sim "$@"\n')
    shim.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               COLUMNS="200", MPLBACKEND="Agg")
    return work, env


def run_shell(command: str, work: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)


def test_the_exclusion_list_names_readme_commands_only():
    commands = shell_commands(BLOCKS)
    for excluded in EXCLUDED:
        assert any(c.split("#")[0].strip() == excluded for c in commands), f"{excluded!r} is no longer in README.md"


def test_the_command_table_lists_every_command():
    from alveosim.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert sorted(name.split()[1] for name, _ in table_commands(TEXT)) == sorted(sub.choices)
    assert len(shell_commands(BLOCKS)) > len(EXCLUDED) and transcripts(BLOCKS) and any(lang == "python" for lang, _ in BLOCKS)


def test_command_table_options_exist():
    from alveosim.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for command, options in table_commands(TEXT):
        help_text = sub.choices[command.split()[1]].format_help()
        missing = [o for o in options if o not in help_text]
        assert not missing, f"{command}: README lists {missing}, --help does not"


def test_console_transcripts_print_what_the_readme_shows(scratch):
    work, env = scratch
    for command, expected in transcripts(BLOCKS):
        done = run_shell(command, work, env)
        shown = [line.rstrip() for line in (done.stdout + done.stderr).splitlines()]
        assert shown == expected, f"$ {command}"


def test_validate_output_validates_to_the_same_hash(scratch):
    work, env = scratch
    for config in ("configs/quickstart.yaml", "configs/clot_demo.yaml"):
        first = run_shell(f"alveosim validate {config} > resolved.yaml && alveosim validate resolved.yaml", work, env)
        assert first.returncode == 0, first.stderr
        original = (work / "resolved.yaml").read_text().splitlines()[0]
        assert original.startswith("#") and "hash" in original
        assert first.stdout.splitlines()[0] == original, config


@pytest.mark.slow
def test_every_readme_command_and_python_block_runs(scratch):
    """In README order (later commands use earlier runs), each exits 0."""
    work, env = scratch
    for command in shell_commands(BLOCKS):
        if command.split("#")[0].strip() in EXCLUDED:
            continue
        done = run_shell(command, work, env)
        assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    for k, (lang, body) in enumerate(BLOCKS):
        if lang != "python":
            continue
        script = work / f"readme_block_{k}.py"
        script.write_text(body)
        done = subprocess.run([sys.executable, script.name], cwd=work, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
        assert done.returncode == 0, f"README Python block {k}:\n{body}\n{done.stderr[-3000:]}"
