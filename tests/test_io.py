"""Writing results (tempx.numerics.app.io): regular files only, the umask's mode, no temporary file left
behind, and a result set that is the previous one or the whole new one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tempx.numerics.app.io import ensure_dir, staged, write_text_atomic
from tempx.theory.errors import InvalidInput


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "a.json", "1")
        assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o640
        os.chmod(tmp_path / "a.json", 0o604)
        write_text_atomic(tmp_path / "a.json", "2")
        assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o604
        assert (tmp_path / "a.json").read_text() == "2"
    finally:
        os.umask(old)


def test_links_devices_fifos_and_folders_are_never_replaced(tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    target.write_text("keep")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path, kind in [(link, "a symbolic link"), (fifo, "a FIFO"), (Path("/dev/null"), "a character device"),
                       (tmp_path, "a folder")]:
        with pytest.raises(InvalidInput, match=f"is {kind}"):
            write_text_atomic(path, "new")
    assert link.is_symlink() and target.read_text() == "keep" and stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "link.json", "target.json"]


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM arrives as an exception (tempx.numerics.app.cli) while the temporary file is open."""
    (tmp_path / "x.json").write_text("previous")

    def interrupted(fd: int) -> None:
        assert len(list(tmp_path.iterdir())) == 2  # the target and the temporary file
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_text_atomic(tmp_path / "x.json", "data")
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"] and (tmp_path / "x.json").read_text() == "previous"


def test_a_failed_result_set_leaves_the_previous_one_whole(tmp_path: Path) -> None:
    with staged(tmp_path) as stage:
        write_text_atomic(stage / "results.json", "old")
        (stage / "figures").mkdir()
        write_text_atomic(stage / "figures" / "a.png", "old figure")
    assert (tmp_path / "results.json").read_text() == "old" and (tmp_path / "figures" / "a.png").exists()
    with pytest.raises(OSError), staged(tmp_path) as stage:
        write_text_atomic(stage / "results.json", "new")
        raise OSError(28, "No space left on device")  # as a full disk would, before the figures
    assert (tmp_path / "results.json").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures", "results.json"]  # no staging folder left


@pytest.mark.slow  # two sweeps in subprocesses; .ci/run runs the slow tests
def test_a_full_disk_is_one_line_naming_the_file_and_keeps_the_previous_result_set(tmp_path: Path) -> None:
    """A real full file system (a 150 KiB tmpfs, where this machine lets the test mount one)."""
    import shutil
    import subprocess
    import sys

    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=150k", "tmpfs", str(disk)],
                                           capture_output=True, check=False).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        exe = shutil.which("tempx")
        cmd = [exe] if exe else [sys.executable, "-m", "tempx"]
        sweep = [*cmd, "sweep", "--d", "4", "--k", "3", "--seeds", "1", "--steps", "10", "--out", str(disk / "s")]
        assert subprocess.run([*sweep, "--sigmas", "0.1"], capture_output=True, check=False).returncode == 0
        before = {p.name: p.read_bytes() for p in (disk / "s").iterdir()}
        with open(disk / "filler", "wb", buffering=0) as filler:  # fill the disk to the last block
            try:
                while True:
                    filler.write(b"\0" * 1024)
            except OSError:
                pass
        proc = subprocess.run([*sweep, "--sigmas", "0.1,0.2"], capture_output=True, text=True, check=False)
        assert proc.returncode == 1 and proc.stdout == ""
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("tempx: error: cannot write '") and "No space left" in lines[0]
        assert {p.name: p.read_bytes() for p in (disk / "s").iterdir()} == before  # the previous set, whole
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_rows_to_csv_is_a_tidy_table() -> None:
    from tempx.numerics.app.io import rows_to_csv

    text = rows_to_csv([{"a": 1, "b": None, "c": "x"}, {"a": 2.5}], ["a", "b"])
    assert text == "a,b\n1,\n2.5,\n"


def test_ensure_dir_creates_nested_folders_and_accepts_existing_ones(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    assert ensure_dir(target) == target and target.is_dir()
    assert ensure_dir(target) == target  # an existing writable folder is fine
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidInput, match="cannot create output folder"):
        ensure_dir(tmp_path / "file" / "sub")


def test_an_output_folder_that_is_a_file_is_refused_by_name(tmp_path: Path) -> None:
    from cli_helpers import assert_usage_error, run_cli

    f = tmp_path / "results"
    f.write_text("x", encoding="utf-8")
    with pytest.raises(InvalidInput, match="is a file, not a folder"):
        ensure_dir(f)
    with pytest.raises(InvalidInput, match="'.*results' is a file, not a folder"):
        ensure_dir(f / "inner")
    assert_usage_error(run_cli(["experiment", "E5", "--out", str(f)]), "is a file, not a folder")
    assert f.read_text(encoding="utf-8") == "x"
