"""Drop duplicate <script> entries from each page.

sphinx-thebe 0.3.1 registers its inline configuration script twice under
Jupyter Book 1.0.4, which makes every page with code cells log
"Identifier 'THEBE_JS_URL' has already been declared" in the browser console.
"""

from __future__ import annotations


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        # The same inline script arrives once with filename None and once with ''.
        key = (
            getattr(js, "filename", None) or "",
            repr(sorted(getattr(js, "attributes", {}).items())),
            str(js) if not hasattr(js, "filename") else "",
        )
        if key not in seen:
            seen.add(key)
            kept.append(js)
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
