"""The command line as an operator meets it: help touches nothing, mistakes are named, and every
command that does work can be quiet or speak JSON."""
import json
import os
import subprocess


def run(tmp_path, *arguments, stdin=None):
    binary = os.path.abspath(os.environ["ASSURE_BINARY"])
    return subprocess.run([binary, *arguments], cwd=tmp_path, capture_output=True, text=True, timeout=120, input=stdin)


def test_help_at_every_level_creates_nothing_and_prints_no_banner(tmp_path):
    for arguments in (["--help"], ["serve", "--help"], ["users", "--help"], ["users", "grant", "--help"], ["migrate", "-h"],
                      ["kb", "import", "--help"], ["estate", "import", "-h"], ["report", "board", "--help"], ["help", "demo", "national"]):
        result = run(tmp_path, *arguments)
        assert result.returncode == 0, (arguments, result.stderr)
        assert "USAGE:" in result.stdout, arguments
        assert "is starting" not in result.stdout + result.stderr, arguments
        assert "Migrator" not in result.stdout + result.stderr, arguments
        assert os.listdir(tmp_path) == [], f"{arguments} created {os.listdir(tmp_path)}"


def test_version_and_usage_mistakes_name_the_option(tmp_path):
    version = run(tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.strip()[0].isdigit(), version.stdout
    for arguments, message in [
        (["--hostname", "0.0.0.0", "--port", "70000"], "--port '70000' is not a port number"),
        (["users", "grant", "--email", "a@b.nhs.uk", "--role", "viewer"], "--org is required"),
        (["kb", "import", "bogus", "x"], "'bogus' is invalid for '<kind>'"),
        (["estate", "import", "--org", "Y99", "--format", "xls", "f.csv"], "--format 'xls' is not a format"),
        (["demo", "estate", "--devices", "0"], "--devices must be from 1 to 5,000,000"),
        (["tokens", "create", "--email", "a@b.nhs.uk", "--org", "Y99", "--role", "viewer", "--name", "x", "--days", "400"], "--days must be from 1 to 366"),
        (["users", "password", "--email", "a@b.nhs.uk"], "--password-stdin is required"),
        (["nonsense"], "Unexpected argument 'nonsense'"),
    ]:
        result = run(tmp_path, *arguments)
        assert result.returncode == 64, (arguments, result.returncode, result.stderr)
        assert message in result.stderr, (arguments, result.stderr)
        assert os.listdir(tmp_path) == [], f"{arguments} created {os.listdir(tmp_path)}"


def test_commands_that_do_work_are_quiet_or_speak_json(tmp_path):
    data = ["--data-dir", str(tmp_path / "data")]
    migrated = json.loads(run(tmp_path, "migrate", "--yes", "--json", *data).stdout)
    assert migrated["direction"] == "prepare" and migrated["done"] and migrated["schemaVersion"] == len(migrated["migrations"]) > 0
    again = json.loads(run(tmp_path, "migrate", "--yes", "--json", *data).stdout)
    assert again["migrations"] == [], "a second migrate has nothing to do"
    region = json.loads(run(tmp_path, "demo", "region", "--json", *data).stdout)
    assert region["inserted"] == 29
    quiet = run(tmp_path, "users", "add", "--email", "Jo.Bloggs@example.nhs.uk", "--name", "Jo Bloggs", "--quiet", *data)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == "", quiet
    granted = json.loads(run(tmp_path, "users", "grant", "--email", "jo.bloggs@example.nhs.uk", "--role", "viewer", "--org", "t91", "--json", *data).stdout)
    assert granted == {"change": "granted", "email": "jo.bloggs@example.nhs.uk", "organisation": "T91", "role": "viewer"}
    listed = json.loads(run(tmp_path, "users", "list", "--json", *data).stdout)
    assert listed[0]["roles"] == [{"organisation": "T91", "role": "viewer"}]
    snapshot = json.loads(run(tmp_path, "snapshot", "--json", *data).stdout)
    assert snapshot["organisations"] == 29 and len(snapshot["day"]) == 10
    said = run(tmp_path, "snapshot", *data).stdout
    assert "Key indicators snapshot for" in said and "29 organisations" in said
    refused = run(tmp_path, "users", "grant", "--email", "nobody@example.nhs.uk", "--role", "viewer", "--org", "T91", "--json", *data)
    assert refused.returncode == 1 and refused.stdout == "" and "users grant:" in refused.stderr, refused
