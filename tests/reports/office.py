"""Open an exported file in LibreOffice, as another program than the one that wrote it.

``convert(path, "csv")`` runs ``soffice --headless --convert-to`` with a
profile of its own (parallel test runs do not share one) and returns the
converted file; LibreOffice refusing the file fails the test. The test
command installs LibreOffice (``scripts/test.sh``).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

#: LibreOffice's filter for each target: CSV in UTF-8, text in UTF-8.
FILTERS = {"csv": 'csv:Text - txt - csv (StarCalc):44,34,76,1', "txt": "txt:Text (encoded):UTF8", "pdf": "pdf"}


def convert(path: Path, target: str, *, timeout: int = 120) -> Path:
    if SOFFICE is None:
        pytest.fail("LibreOffice (soffice) is not installed; scripts/test.sh installs it")
    out_dir = Path(tempfile.mkdtemp(prefix="yx-office-"))
    profile = Path(tempfile.mkdtemp(prefix="yx-office-profile-"))
    try:
        result = subprocess.run(
            [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", FILTERS.get(target, target), "--outdir", str(out_dir), str(path)],
            capture_output=True, timeout=timeout, check=False,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    produced = out_dir / (Path(path).stem + "." + target)
    assert result.returncode == 0 and produced.exists(), (
        f"LibreOffice could not convert {path}: {result.stdout.decode(errors='replace')} {result.stderr.decode(errors='replace')}"
    )
    return produced


def xlsx_rows(path: Path) -> list[list[str]]:
    """The first sheet of an xlsx as LibreOffice reads it (every cell as text)."""
    with open(convert(path, "csv"), encoding="utf-8", newline="") as f:
        return [row for row in csv.reader(f)]


def docx_text(path: Path) -> str:
    """A .docx's text as LibreOffice reads it."""
    return convert(path, "txt").read_text(encoding="utf-8-sig")
