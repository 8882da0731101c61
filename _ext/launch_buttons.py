"""Switch the repository button and the Binder and Colab launch buttons on from ``repository.url`` alone.

In ``_config.yml``, ``repository.url`` empty (the default) builds a book with
none of them: a launch link needs a public repository to point at.  Set it,
e.g. ``url: https://github.com/OWNER/REPO``, and every page gets the
repository button and every chapter launch links to its own notebook on
Binder and Colab (``launch_buttons`` in ``_config.yml`` says which services).
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.config import Config


def configure(theme_options: dict) -> dict:
    """The theme options with the repository and launch buttons on when ``repository_url`` is set, else off."""
    opts = dict(theme_options)
    url = str(opts.get("repository_url") or "").strip().rstrip("/")
    if url:
        opts["repository_url"] = url
        opts["use_repository_button"] = True
    else:
        opts.pop("repository_url", None)
        opts.pop("launch_buttons", None)
        for button in ("use_repository_button", "use_issues_button", "use_edit_page_button"):
            opts[button] = False
    return opts


def _configure(app: Sphinx, config: Config) -> None:
    config.html_theme_options = configure(config.html_theme_options)


def setup(app: Sphinx) -> dict[str, bool]:
    app.connect("config-inited", _configure, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
