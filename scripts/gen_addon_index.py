"""Generate an addon's static/description/index.html from its readme/ fragments.

OCA's convention: the Markdown fragments are the source, the HTML page is
generated (``make addon-readme``), never edited by hand.
"""

import ast
import html
import sys
from pathlib import Path

import markdown

SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONTEXT.md", "Context"),
    ("INSTALL.md", "Installation"),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("ROADMAP.md", "Known issues / Roadmap"),
    ("CONTRIBUTORS.md", "Contributors"),
]


def render(addon: Path) -> str:
    source = (addon / "__manifest__.py").read_text(encoding="utf-8")
    manifest = ast.literal_eval(source[source.index("{") :])
    body = []
    for name, title in SECTIONS:
        fragment = addon / "readme" / name
        if fragment.exists():
            if title:
                body.append(f"<h2>{title}</h2>")
            body.append(markdown.markdown(fragment.read_text(encoding="utf-8")))
    name = html.escape(manifest["name"])
    return (
        "<!DOCTYPE html>\n<!-- Generated from readme/*.md by scripts/gen_addon_index.py;"
        " do not edit. -->\n"
        f'<html lang="en">\n<head><meta charset="utf-8"/><title>{name}</title></head>\n'
        f"<body>\n<h1>{name}</h1>\n<p>{html.escape(manifest['summary'])}</p>\n"
        + "\n".join(body)
        + f"\n<h2>Authors</h2>\n<p>{html.escape(manifest['author'])}</p>\n</body>\n</html>\n"
    )


if __name__ == "__main__":
    for path in sys.argv[1:] or ["accrochage_certificateur"]:
        addon = Path(path)
        (addon / "static" / "description" / "index.html").write_text(
            render(addon), encoding="utf-8"
        )
