"""The command line as an operator meets it: help touches nothing."""
import os
import subprocess


def test_help_creates_no_database_and_prints_no_banner(tmp_path):
    binary = os.path.abspath(os.environ["ASSURE_BINARY"])
    for arguments in (["--help"], ["serve", "--help"], ["users", "--help"], ["migrate", "-h"]):
        result = subprocess.run([binary, *arguments], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (arguments, result.stderr)
        assert "Usage:" in result.stdout, arguments
        assert "is starting" not in result.stdout + result.stderr, arguments
        assert "Migrator" not in result.stdout + result.stderr, arguments
        assert os.listdir(tmp_path) == [], f"{arguments} created {os.listdir(tmp_path)}"
