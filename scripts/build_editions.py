"""The book's translated editions: one set of notebooks, its prose translated through Sphinx's gettext catalogues.

    build_editions.py catalogs [PAGE...]
                                 extract the English messages and bring every language's catalogues (or only
                                 those of the pages named, e.g. book/front/preface) up to date
    build_editions.py html       build every translated edition's site beside the English one (scripts/build-book)

The English text is extracted with Sphinx's gettext builder, one template per page (``gettext_compact`` off),
without mathematics, code or outputs (book/_ext/translatable_text.py). Each translated language has one catalogue
per page, ``locale/<language>/LC_MESSAGES/<page>.po``. Updating a catalogue keeps every translation whose English
is unchanged, adds each new or changed English message untranslated, and drops messages the book no longer has;
so after an English edit the catalogue shows exactly what needs translating, and tests/test_translations.py
fails until it is translated.

An edition is built from the same sources and the same committed notebook outputs as the English site, with
``language`` set, into the folder ``book_editions`` names (_config.yml), e.g. _build/html/zh. Warnings are errors.
"""

import re
import sys
import tempfile
from pathlib import Path

import polib
import yaml
from jupyter_book.sphinx import build_sphinx

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
LOCALE = ROOT / "locale"

# A message with nothing to translate: only mathematics, code, roles such as {cite}`x`, numbers and punctuation.
_NOT_PROSE = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|\{[a-z:]+\}`[^`]*`|`[^`]*`", re.S)
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def editions() -> dict[str, str]:
    """Language -> its folder under the site's root, for every translated edition (not English)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return {lang: folder for lang, folder in config["sphinx"]["config"]["book_editions"].items() if lang != "en"}


def sphinx_build(builder: str, out: Path, doctrees: Path, fresh: bool, **overrides) -> None:
    """One Sphinx build of the book with jupyter-book's configuration, warnings as errors (also for build_pdf.py)."""
    status = build_sphinx(
        ROOT,
        out,
        doctreedir=doctrees,
        path_config=ROOT / "_config.yml",
        noconfig=True,
        confoverrides={"external_toc_path": "_toc.yml", "latex_individualpages": False, **overrides},
        builder=builder,
        warningiserror=True,
        keep_going=True,
        freshenv=fresh,
        quiet=True,
    )
    if status != 0:
        sys.exit(f"Sphinx's {builder} build {overrides or ''} failed ({status})")


def extract(pot_dir: Path) -> Path:
    """Write the English messages of every page as gettext templates under ``pot_dir``."""
    sphinx_build("gettext", pot_dir, pot_dir / ".doctrees", fresh=True)
    return pot_dir


def has_prose(msgid: str) -> bool:
    """Whether a message has words to translate, once its mathematics, code and roles are set aside."""
    return bool(_LATIN_WORD.search(_NOT_PROSE.sub(" ", msgid)))


def templates(pot_dir: Path) -> dict[str, polib.POFile]:
    """Page name (``book/part1/01_likelihood``) -> its template; Sphinx's own ``sphinx.pot`` holds the templates'
    strings (the footer's links, the search button)."""
    return {
        pot.relative_to(pot_dir).with_suffix("").as_posix(): polib.pofile(str(pot))
        for pot in sorted(pot_dir.rglob("*.pot"))
        if ".doctrees" not in pot.parts
    }


def catalogue_path(language: str, page: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{page}.po"


def updated_catalogue(template: polib.POFile, existing: polib.POFile | None, language: str) -> polib.POFile:
    """The catalogue for ``template``: translations of unchanged messages kept, the rest untranslated."""
    known = {entry.msgid: entry.msgstr for entry in (existing or []) if entry.msgstr and "fuzzy" not in entry.flags}
    catalogue = polib.POFile(wrapwidth=0)
    catalogue.metadata = {
        "Project-Id-Version": "likelihood-book",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    for entry in template:
        # A message without prose (a formula or a function name in a table cell) is its own translation.
        msgstr = known.get(entry.msgid) or ("" if has_prose(entry.msgid) else entry.msgid)
        catalogue.append(polib.POEntry(msgid=entry.msgid, msgstr=msgstr))
    return catalogue


def update_catalogues(only: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pots = templates(extract(Path(tmp)))
        unknown = set(only) - set(pots)
        if unknown:
            sys.exit(f"build_editions: no such page: {sorted(unknown)}")
        for language in editions():
            stale = set() if only else set((LOCALE / language / "LC_MESSAGES").rglob("*.po"))
            for page, template in pots.items():
                if only and page not in only:
                    continue
                path = catalogue_path(language, page)
                existing = polib.pofile(str(path)) if path.exists() else None
                catalogue = updated_catalogue(template, existing, language)
                path.parent.mkdir(parents=True, exist_ok=True)
                catalogue.save(str(path))
                stale.discard(path)
                untranslated = sum(1 for e in catalogue if not e.msgstr)
                if untranslated:
                    print(f"build_editions: {path.relative_to(ROOT)}: {untranslated} messages to translate")
            for path in stale:  # a page the book no longer has
                path.unlink()


def build_html(fresh: bool) -> None:
    for language, folder in editions().items():
        sphinx_build(
            "html",
            BUILD / "html" / folder,
            BUILD / f".doctrees-{language}",
            fresh=fresh,
            language=language,
            nitpicky=True,
        )


def main(argv: list[str]) -> None:
    if argv[:1] == ["catalogs"]:
        update_catalogues(argv[1:])
    elif argv[:1] == ["html"]:
        build_html(fresh="--all" in argv)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
