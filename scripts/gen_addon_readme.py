"""Generate an addon's README.rst and static/description/index.html from readme/.

OCA's convention (maintainer-tools ``oca-gen-addon-readme``): the fragments in
``readme/`` are the source; ``README.rst`` is assembled from them and
``index.html`` is rendered from ``README.rst`` with docutils. That generator is
not on the package registry, so this script does the same for the Markdown
subset our fragments use (paragraphs, lists, ``**bold**``, ``*italic*``,
``code``, links, fenced code). ``--check`` fails when the files are stale.
"""

import argparse
import ast
import re
import sys
from pathlib import Path

from docutils.core import publish_string

# OCA's order and titles (maintainer-tools, tools/gen_addon_readme.py FRAGMENTS)
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("CONTEXT.md", "Context"),
    ("INSTALL.md", "Installation"),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("ROADMAP.md", "Known issues / Roadmap"),
    ("DEVELOP.md", "Development"),
    ("CONTRIBUTORS.md", "Contributors"),
    ("CREDITS.md", "Credits"),
    ("HISTORY.md", "Changelog"),
]
LIST_ITEM = re.compile(r"^( *)(?:[-*]|\d+\.) ")
HEADER = ".. Generated from readme/*.md by scripts/gen_addon_readme.py: do not edit.\n\n"


def _inline(text):
    """Markdown inline markup to reStructuredText."""
    text = re.sub(r"`([^`]+)`", r"``\1``", text)
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"`\1 <\2>`__", text)


def markdown_to_rst(source):
    """The Markdown subset of our fragments as reStructuredText.

    >>> print(markdown_to_rst("See `x` and [CDC](https://cdc.fr).\\n\\n- *a*\\n  b"), end="")
    See ``x`` and `CDC <https://cdc.fr>`__.
    <BLANKLINE>
    - *a*
      b
    """
    out, in_code, item_indent = [], False, None
    for line in source.splitlines():
        item = LIST_ITEM.match(line)
        if item and not in_code:
            # reStructuredText needs a blank line where a list starts or nests
            if out and out[-1] and len(item.group(1)) != item_indent:
                out.append("")
            item_indent = len(item.group(1))
        elif not line.strip():
            item_indent = None
        fence = line.strip().startswith("```")
        if fence and not in_code:
            language = line.strip()[3:].strip() or "text"
            out += [f".. code-block:: {language}", ""]
            in_code = True
        elif fence:
            out.append("")
            in_code = False
        elif in_code:
            out.append("   " + line if line else "")
        else:
            out.append(_inline(line))
    return "\n".join(out).strip() + "\n"


def _title(text, char):
    return f"{text}\n{char * len(text)}\n\n"


def _manifest(addon):
    source = (addon / "__manifest__.py").read_text(encoding="utf-8")
    return ast.literal_eval(source[source.index("{") :])


def render_rst(addon):
    manifest = _manifest(addon)
    name = manifest["name"]
    parts = [HEADER, "=" * len(name) + "\n" + name + "\n" + "=" * len(name) + "\n\n"]
    parts.append(f"{manifest['summary']}\n\n")
    parts.append(
        f"*{manifest['development_status']}* · license {manifest['license']} · "
        f"`{manifest['website']} <{manifest['website']}>`__\n\n"
    )
    parts.append(".. contents::\n   :local:\n\n")
    for file_name, title in SECTIONS:
        fragment = addon / "readme" / file_name
        if not fragment.exists():
            continue
        if title:
            parts.append(_title(title, "="))
        parts.append(markdown_to_rst(fragment.read_text(encoding="utf-8")) + "\n")
    parts.append(_title("Authors", "="))
    parts.append(f"- {manifest['author']}\n\n")
    if manifest.get("maintainers"):
        parts.append(_title("Maintainers", "="))
        parts.extend(f"- `{m} <https://github.com/{m}>`__\n" for m in manifest["maintainers"])
    return "".join(parts)


def render_html(rst):
    """index.html rendered from README.rst, as OCA's generator does."""
    html = publish_string(
        rst,
        writer_name="html4css1",
        settings_overrides={
            "report_level": 2,
            "halt_level": 2,
            "output_encoding": "unicode",
            # no stylesheet and no generator tag: the page is the same whatever
            # docutils version renders it
            "embed_stylesheet": False,
            "stylesheet_path": "",
        },
    )
    html = re.sub(r'<meta name="generator"[^>]*>\n', "", html)
    mark = "<!-- Generated from README.rst by scripts/gen_addon_readme.py: do not edit. -->\n"
    head, sep, rest = html.partition("<html")
    return head + mark + sep + rest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("addons", nargs="*", default=["accrochage_certificateur"])
    parser.add_argument("--check", action="store_true", help="fail when a file is stale")
    args = parser.parse_args(argv)
    stale = []
    for path in args.addons:
        addon = Path(path)
        rst = render_rst(addon)
        outputs = {
            addon / "README.rst": rst,
            addon / "static" / "description" / "index.html": render_html(rst),
        }
        for target, text in outputs.items():
            if target.exists() and target.read_text(encoding="utf-8") == text:
                continue
            if args.check:
                stale.append(str(target))
            else:
                target.write_text(text, encoding="utf-8")
    if stale:
        print("Fichiers à régénérer (make addon-readme) : " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
