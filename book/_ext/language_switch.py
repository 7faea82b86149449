"""A link on every page to the same page in the book's other edition, in both directions.

``book_editions`` (_config.yml) maps each language to its edition's folder under the site's root: the English
edition is the site's root itself, so its addresses are unchanged, and the Chinese one is built into ``zh/``
(scripts/build_editions.py). Links are relative, so the switch also works opened from disk.
"""

from sphinx.application import Sphinx

# How each edition names itself in the switch: the link text is in the language it leads to.
EDITION_NAMES = {
    "en": {"text": "English", "title": "This page in English", "hreflang": "en"},
    "zh_CN": {"text": "中文", "title": "本页的简体中文版", "hreflang": "zh-CN"},
}


def current_language(app: Sphinx) -> str:
    return app.config.language or "en"


def edition_root_to_site_root(app: Sphinx) -> str:
    """The relative path from the root of the edition being built up to the site's root ("" for English)."""
    editions = app.config.book_editions
    here = current_language(app)
    if here not in editions:
        raise ValueError(f"book_editions has no folder for the language {here!r} being built: {editions}")
    return "../" * len([part for part in editions[here].split("/") if part])


def _edition_links(app, pagename, templatename, context, doctree):
    editions = app.config.book_editions
    here = current_language(app)
    to_site_root = "../" * pagename.count("/") + edition_root_to_site_root(app)
    page = app.builder.get_target_uri(pagename)
    links = []
    for language, folder in editions.items():
        if language == here:
            continue
        prefix = to_site_root + (folder.strip("/") + "/" if folder.strip("/") else "")
        links.append({**EDITION_NAMES[language], "url": prefix + page})
    context["edition_links"] = links


def _title_in_the_edition_language(app: Sphinx, config) -> None:
    """The book's title in a translated edition: the site's header and tab, and the PDF's title page."""
    title = config.book_titles.get(config.language or "en")
    if not title:
        return
    config.html_title = config.project = title


def _pdf_title_in_the_edition_language(app: Sphinx, env, docnames) -> None:
    # When the build starts: after jupyter-book has written its own title into latex_documents.
    title = app.config.book_titles.get(current_language(app))
    if title and app.builder.format == "latex":
        app.config.latex_documents = [(doc[0], doc[1], title, *doc[3:]) for doc in app.config.latex_documents]


def setup(app: Sphinx):
    app.add_config_value("book_editions", {"en": ""}, "html", types=[dict])
    # language -> the book's title in that language, where it is not _config.yml's title
    app.add_config_value("book_titles", {}, "env", types=[dict])
    app.connect("config-inited", _title_in_the_edition_language)
    app.connect("env-before-read-docs", _pdf_title_in_the_edition_language)
    app.connect("html-page-context", _edition_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
