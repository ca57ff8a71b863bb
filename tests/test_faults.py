"""Runs that survive faults: kill -9 at random points, two runs at once, read-only and full disks,
named pipes, a Dask cluster that loses its workers.

Each test runs the real command (a child process where the fault needs
one) and checks what it leaves in ``--out``: the report folder either
absent or whole and from one run, as its ``manifest.json`` says (every file
listed, with its hash, no other file), and nothing left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from quoteverify.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "seely-letter"
CASE_ID = "faults"


def make_case(folder: Path, articles: int) -> Path:
    """A case of ``articles`` articles: the seed case's articles over and over, under new ids."""
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    (folder / "articles").mkdir(exist_ok=True)
    shutil.copy(SEED / "sources" / "letter.txt", folder / "sources" / "letter.txt")
    seeds = sorted((SEED / "articles").glob("*.txt"))
    lines = [f'id = "{CASE_ID}"', "", "[[sources]]", 'id = "letter"', 'path = "sources/letter.txt"', ""]
    for n in range(articles):
        seed = seeds[n % len(seeds)]
        name = f"a{n:03d}.txt"
        # each article differs (a line of its own), so that no two runs of different sizes share pages
        (folder / "articles" / name).write_text(seed.read_text(encoding="utf-8") + f"\nArticle {n}.\n", encoding="utf-8")
        lines += ["[[articles]]", f'id = "a{n:03d}"', f'outlet = "outlet {n % 7}"', f'path = "articles/{name}"', ""]
    (folder / "case.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder


def command(*args: object) -> list[str]:
    return [sys.executable, "-m", "quoteverify", "check", *map(str, args)]


def run(*args: object, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*args), cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_whole(out: Path) -> dict | None:
    """Check ``out/<case>``: absent (``None``), or whole and from one run (its manifest, returned)."""
    folder = out / CASE_ID
    if not folder.exists():
        return None
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is True
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert files == set(manifest["files"]) | {"manifest.json"}, "files beside the run's own"
    for rel, digest in manifest["files"].items():
        assert sha256(folder / rel) == digest, f"{rel} is not the one the run wrote"
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["meta"]["run"] == manifest["run"]
    lines = (folder / "results.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b"" and all(json.loads(line) for line in lines[:-1])
    assert len(lines) - 1 == manifest["counts"]["articles"]
    pages = {p for p in files if p.startswith("articles/")}
    assert len(pages) == len(report["articles"]), "pages of another run"
    return manifest


def leftovers(out: Path) -> list[str]:
    """Files of unfinished runs: staging folders, temporary files, lock files."""
    return sorted(p.name for p in out.rglob("*") if p.name.endswith((".tmp", ".partial", ".lock")))


def workers_of(marker: str) -> list[psutil.Process]:
    """Processes whose command line holds ``marker`` (the run's --out path): the run and its pool workers."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        with contextlib.suppress(psutil.Error):
            if marker in " ".join(proc.info["cmdline"] or ()) and proc.info["status"] != psutil.STATUS_ZOMBIE:
                found.append(proc)
    return found


# --------------------------------------------------------------------------- kill -9


def test_kill_9_at_random_points_leaves_a_whole_report_or_the_earlier_one(tmp_path):
    big = make_case(tmp_path / "big", 400)
    small = make_case(tmp_path / "small", 20)
    out = tmp_path / "out"
    first = run(small, "--out", out, "-j", "2")
    assert first.returncode == 1, first.stderr
    earlier = check_whole(out)
    assert earlier is not None and earlier["counts"]["articles"] == 20
    schedule = random.Random(20200106)
    seen = []
    orphaned = []  # the pool workers alive when their parent was killed
    for _ in range(3):
        proc = subprocess.Popen(command(big, "--out", out, "-j", "2"), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # the kill falls at a random moment after the pool has started (a
        # fixed delay missed it on a fast machine, where the run was over)
        children: list[psutil.Process] = []
        started = time.monotonic()
        while len(children) < 2 and proc.poll() is None and time.monotonic() - started < 20:
            with contextlib.suppress(psutil.Error):
                children = psutil.Process(proc.pid).children(recursive=True)
            time.sleep(0.02)
        time.sleep(schedule.uniform(0.0, 0.4))
        with contextlib.suppress(psutil.Error):
            orphaned += psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in orphaned) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not workers_of(str(out)), "pool workers outlived their parent"
        manifest = check_whole(out)
        assert manifest is not None
        seen.append(manifest["run"])
    rerun = run(big, "--out", out, "-j", "2")
    assert rerun.returncode == 1, rerun.stderr
    manifest = check_whole(out)
    assert manifest is not None and manifest["counts"]["articles"] == 400
    # after each kill, the report was the earlier run's or the new one's, whole
    assert set(seen) <= {earlier["run"], manifest["run"]}
    assert orphaned, "no kill fell while the pool was checking: the schedule tests nothing"
    assert leftovers(out) == [] and not list(big.rglob("*.tmp"))  # nor a half-saved source index


def test_a_rerun_after_a_crash_says_it_starts_afresh(tmp_path):
    case = make_case(tmp_path / "case", 5)
    out = tmp_path / "out"
    staged = out / f".{CASE_ID}.partial" / CASE_ID
    staged.mkdir(parents=True)
    (staged / "results.jsonl").write_text('{"id": "a000"}\n{"id": "a0', encoding="utf-8")
    (staged / "index.html").write_text("half", encoding="utf-8")
    r = run(case, "--out", out)
    assert r.returncode == 1, r.stderr
    assert "an earlier run did not finish (1 article written); starting afresh" in r.stderr
    assert leftovers(out) == []
    # the run id comes of the inputs, not the clock: a fresh run elsewhere writes the same bytes
    fresh = tmp_path / "fresh"
    run(case, "--out", fresh, "-j", "1")
    assert check_whole(out) == check_whole(fresh)
    for p in (out / CASE_ID).rglob("*"):
        if p.is_file():
            assert p.read_bytes() == (fresh / CASE_ID / p.relative_to(out / CASE_ID)).read_bytes()


# --------------------------------------------------------------------------- two runs


def test_a_second_run_into_the_same_folder_is_refused_in_one_line(tmp_path):
    source = tmp_path / "statement.txt"
    source.write_text("We will open the bridge to traffic on Monday morning after the inspection.\n")
    out = tmp_path / "out"
    # the first run reads its article from a pipe: it holds the folder until the test writes
    first = subprocess.Popen(
        command("--source", source, "-", "--out", out), cwd=ROOT,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    lock = out / ".adhoc.lock"
    deadline = time.monotonic() + 30
    while not (lock.exists() and lock.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = run("--source", source, source, "--out", out)
    stdout, stderr = first.communicate('The mayor said "We will open the bridge to traffic on Monday morning".\n', timeout=60)
    assert first.returncode == 0, stderr
    assert second.returncode == 2
    assert second.stderr.count("\n") == 1 and "another run is writing this report" in second.stderr
    assert f"pid {first.pid}" in second.stderr
    report = json.loads((out / "adhoc" / "report.json").read_text())
    assert [a["id"] for a in report["articles"]] == ["stdin"]
    assert leftovers(out) == []


# --------------------------------------------------------------------------- disks


@contextlib.contextmanager
def tmpfs(path: Path, size: str, *options: str):
    """A small tmpfs at ``path`` (skipped where mounting is not allowed)."""
    path.mkdir(parents=True, exist_ok=True)
    opts = ",".join((f"size={size}", *options))
    if subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_a_full_disk_names_the_file_and_keeps_the_earlier_report(tmp_path):
    case = make_case(tmp_path / "case", 5)
    bigger = make_case(tmp_path / "bigger", 30)
    with tmpfs(tmp_path / "out", "700k") as out:
        assert run(case, "--out", out).returncode == 1
        earlier = check_whole(out)
        r = run(bigger, "--out", out)
        assert r.returncode == 2
        assert r.stderr.count("\n") == 1 and "No space left on device" in r.stderr
        assert f"{out}/.{CASE_ID}.partial/{CASE_ID}/" in r.stderr  # the file that could not be written
        assert check_whole(out) == earlier
        assert leftovers(out) == []


def test_a_read_only_folder_is_one_error_and_no_half_report(tmp_path):
    case = make_case(tmp_path / "case", 5)
    with tmpfs(tmp_path / "out", "4m") as out:
        assert run(case, "--out", out).returncode == 1
        earlier = check_whole(out)
        articles = out / CASE_ID / "articles"
        subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)
        r = run(make_case(tmp_path / "other", 7), "--out", out)
        assert r.returncode == 2
        assert r.stderr.count("\n") == 1 and "Read-only file system" in r.stderr and str(out) in r.stderr
        assert check_whole(out) == earlier and articles.is_dir()


# --------------------------------------------------------------------------- hostile files


def test_a_named_pipe_among_the_articles_is_an_error_entry(tmp_path):
    source = tmp_path / "statement.txt"
    source.write_text("We will open the bridge to traffic on Monday morning after the inspection.\n")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "news.txt").write_text('The mayor said "We will open the bridge to traffic on Monday morning" today.\n')
    os.mkfifo(folder / "pipe.txt")
    os.symlink("loop-b", folder / "loop-a")
    os.symlink("loop-a", folder / "loop-b")
    r = run("--source", source, folder, "--out", tmp_path / "out", timeout=30)
    assert r.returncode == 0, r.stderr
    assert f"{folder / 'pipe.txt'}: a named pipe, not a regular file" in r.stderr
    assert f"{folder / 'loop-a'}: a symbolic link that loops" in r.stderr
    report = json.loads((tmp_path / "out" / "adhoc" / "report.json").read_text())
    assert report["summary"]["errors"] == 3
    # named on the command line, the same pipe fails the run, after the others are checked
    r = run("--source", source, folder / "news.txt", folder / "pipe.txt", "--out", tmp_path / "out2", timeout=30)
    assert r.returncode == 2
    assert f"Error: {folder / 'pipe.txt'}: a named pipe, not a regular file" in r.stderr.splitlines()


def test_a_batch_where_no_article_can_be_read_exits_2(tmp_path):
    source = tmp_path / "statement.txt"
    source.write_text("We will open the bridge to traffic on Monday morning after the inspection.\n")
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "bad.txt").write_bytes(b"%PDF-1.4 binary")
    (folder / "worse.txt").write_bytes(b"\x00\x01\x02" * 100)
    r = CliRunner().invoke(main, ["check", "--source", str(source), str(folder), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2
    assert "Error: no article could be read" in r.output


# --------------------------------------------------------------------------- Dask


def test_a_dask_cluster_that_loses_its_workers_is_one_error_exit_2(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from quoteverify.run import batches

    monkeypatch.setattr(batches, "NO_WORKERS_GRACE", 2.0)
    case = make_case(tmp_path / "case", 5)
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None) as cluster:
        worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", cluster.scheduler_address, "--no-nanny", "--nthreads", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            with distributed.Client(cluster.scheduler_address) as client:
                client.wait_for_workers(1, timeout=30)
            worker.kill()
            worker.wait()
            r = CliRunner().invoke(main, ["check", str(case), "--out", str(out), "--scheduler", cluster.scheduler_address])
        finally:
            worker.kill()
    assert r.exit_code == 2, r.output
    assert r.output.startswith("Error: ") and r.output.count("\n") == 1
    assert check_whole(out) is None and leftovers(out) == []
