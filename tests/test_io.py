"""Writing results (tempx.numerics.io): regular files only, the umask's mode, no temporary file left
behind, and a result set that is the previous one or the whole new one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tempx.numerics.io import staged, write_text_atomic
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
    """SIGTERM arrives as an exception (tempx.numerics.cli) while the temporary file is open."""
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
