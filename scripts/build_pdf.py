"""Build the whole book as a PDF, once per language in book_pdf_languages (_config.yml).

Run by scripts/build-pdf. Each language has its own doctrees and output, _build/pdf/<language>/, since
Sphinx refuses to switch builders in one environment. Sphinx writes the LaTeX with warnings as errors and
nitpicky references, always from a fresh environment so that no warning hides in its cache; then latexmk
runs XeLaTeX until every reference is resolved. The PDF lands in _build/pdf/ and, for the site's download
menu and the preface to link it, in _build/html/.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from book_pdf import pdf_filename  # noqa: E402  (the book's own extension names the files)
from build_editions import sphinx_build  # noqa: E402  (one way to run Sphinx on the book)


def languages() -> list[str]:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return config["sphinx"]["config"]["book_pdf_languages"]


def build(language: str) -> Path:
    out = BUILD / "pdf" / language
    sphinx_build("latex", out / "latex", out / "doctrees", fresh=True, nitpicky=True, language=language)
    # Sphinx's Makefile runs latexmk with the settings it wrote (latexmkrc: XeLaTeX, xindy).
    latexmk = subprocess.run(
        ["make", "all-pdf", "LATEXMKOPTS=-interaction=nonstopmode -halt-on-error -silent"],
        cwd=out / "latex",
        stdout=subprocess.DEVNULL,
    )
    if latexmk.returncode != 0:
        sys.exit(f"build-pdf: XeLaTeX failed ({language}); see {out / 'latex' / 'book.log'}")
    pdf = BUILD / "pdf" / pdf_filename(language)
    shutil.copyfile(out / "latex" / "book.pdf", pdf)
    (BUILD / "html").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pdf, BUILD / "html" / pdf.name)
    return pdf


def main() -> None:
    for language in languages():
        print(f"build-pdf: the book is at {build(language)}")


if __name__ == "__main__":
    main()
