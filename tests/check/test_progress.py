from __future__ import annotations

import io

from rosgit.check.progress import Progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal() -> None:
    plain = io.StringIO()
    Progress(total=2, stream=plain).step("build dev")
    assert plain.getvalue() == ""
    tty = Tty()
    progress = Progress(total=2, stream=tty)
    progress.step("build dev")
    progress.step("lint dev")
    progress.step("extra")
    progress.finish()
    assert "[1/2] build dev" in tty.getvalue() and "[2/2] extra" in tty.getvalue()
    assert tty.getvalue().endswith("\r\033[K")
