"""The brief as one HTML page (``index.html``), built with plain string joins.

Figures are linked by relative paths (``figures/x.png``), so the folder can
be zipped and sent; every text goes through :func:`html.escape`. The page
uses system fonts with DejaVu Sans and Noto Sans first in the list, which
both cover Vietnamese.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from forecast.brief.doc import Document, FigureRef, Section, Table
from forecast.brief.text import t

CSS = """
body{font-family:"DejaVu Sans","Noto Sans","Segoe UI",Arial,sans-serif;max-width:1100px;
margin:0 auto;padding:1.5em;color:#222;line-height:1.45;font-size:15px}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #0072B2;padding-bottom:.2em;
margin-top:2.2em}h3{font-size:1.05em;margin:1.4em 0 .4em}
.meta{color:#555}nav ol{columns:2}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.92em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eef3f8}td.num{text-align:right;white-space:nowrap}
caption{text-align:left;font-weight:bold;padding:.2em 0}
dl.keys{display:grid;grid-template-columns:max-content 1fr;gap:.25em 1.2em;margin:.4em 0}
dl.keys dt{color:#555}dl.keys dd{margin:0;font-weight:bold}
.figs{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}
figure.wide{flex:1 1 100%}figure.col{flex:0 1 calc(50% - .5em);min-width:320px}
figure img{width:100%;height:auto;border:1px solid #eee}figure.wide img{max-width:920px}
figcaption{font-size:.85em;color:#555}
.warning{background:#fff4e5;border-left:4px solid #D55E00;padding:.4em .7em;margin:.4em 0}
"""


def _table(tab: Table) -> str:
    parts = ["<table>"]
    if tab.caption:
        parts.append(f"<caption>{escape(tab.caption)}</caption>")
    parts.append("<thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in tab.columns)
                 + "</tr></thead><tbody>")
    for row in tab.rows:
        cells = []
        for i, v in enumerate(row):
            cls = ' class="num"' if i in tab.numeric else ""
            text = escape(str(v))
            if str(v).startswith(("http://", "https://")):
                text = f'<a href="{escape(str(v), quote=True)}">{text}</a>'
            cells.append(f"<td{cls}>{text}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return "\n".join(parts)


def _figure(fig: FigureRef, lang: str) -> str:
    src = escape(fig.stem, quote=True)
    links = " · ".join(f'<a href="{src}.{ext}">{ext.upper()}</a>' for ext in ("png", "svg", "pdf"))
    cls = "wide" if fig.wide else "col"
    return (f'<figure class="{cls}"><img src="{src}.png" alt="{escape(fig.alt, quote=True)}" '
            f'loading="lazy"><figcaption>{escape(t("figure_files", lang))}: {links}'
            f"</figcaption></figure>")


def _section(sec: Section, lang: str) -> str:
    out = [f'<section id="{escape(sec.anchor, quote=True)}"><h2>{escape(sec.title)}</h2>']
    for block in sec.blocks:
        k, d = block.kind, block.data
        if k == "heading":
            out.append(f"<h3>{escape(str(d))}</h3>")
        elif k == "para":
            out.append(f"<p>{escape(str(d))}</p>")
        elif k == "warning":
            out.append(f'<p class="warning">{escape(str(d))}</p>')
        elif k == "keys":
            out.append('<dl class="keys">' + "".join(
                f"<dt>{escape(a)}</dt><dd>{escape(b)}</dd>" for a, b in d) + "</dl>")
        elif k == "figures":
            out.append('<div class="figs">' + "".join(_figure(f, lang) for f in d) + "</div>")
        elif k == "table":
            out.append(_table(d))
        elif k == "list":
            out.append("<ul>" + "".join(f"<li>{escape(str(x))}</li>" for x in d) + "</ul>")
    out.append("</section>")
    return "\n".join(out)


def render_html(doc: Document) -> str:
    """The whole page as a string."""
    lang = doc.lang
    nav = "".join(f'<li><a href="#{escape(s.anchor, quote=True)}">{escape(s.title)}</a></li>'
                  for s in doc.sections)
    body = "\n".join(_section(s, lang) for s in doc.sections)
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(doc.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"<h1>{escape(doc.title)}</h1>\n<p class=\"meta\">{escape(doc.meta)}</p>\n"
            f"<p class=\"meta\">{escape(t('figures_note', lang))}</p>\n"
            f"<nav><h3>{escape(t('contents', lang))}</h3><ol>{nav}</ol></nav>\n{body}\n"
            "</body>\n</html>\n")


def write_html(doc: Document, root: Path, path: Path) -> Path:
    """Write ``index.html``; ``root`` is the brief folder the figure paths are relative to."""
    Path(path).write_text(render_html(doc), encoding="utf-8")
    return Path(path)
