"""The text of a PDF's pages, as a user would check it (a helper for the tests).

``import pdf_text`` from a test (``tests/`` is on the path, as for ``browser``).
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

from pypdf import PdfReader


def page_texts(pdf: Path) -> list[str]:
    """Text of every page, NFC: pdftotext when installed (as users would check), else pypdf."""
    n = len(PdfReader(pdf).pages)
    if shutil.which("pdftotext"):
        return [unicodedata.normalize("NFC", subprocess.run(
            ["pdftotext", "-f", str(i), "-l", str(i), "-layout", str(pdf), "-"],
            capture_output=True, text=True, check=True).stdout) for i in range(1, n + 1)]
    return [unicodedata.normalize("NFC", p.extract_text() or "") for p in PdfReader(pdf).pages]
