"""The CLI's own surface: version, help, exit codes."""

from conftest import run_cli

from runform import __version__


def test_version():
    res = run_cli("--version")
    assert res.returncode == 0 and __version__ in res.stdout


def test_unknown_option_is_a_usage_error():
    res = run_cli("analyze", "x.mp4", "--colour", "red")
    assert res.returncode == 2


def test_help_lists_commands():
    res = run_cli("--help")
    assert res.returncode == 0 and "analyze" in res.stdout and "demo" in res.stdout
