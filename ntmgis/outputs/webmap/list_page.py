"""The list page of a map set (``maps/list.html``): every map, with the year's figures."""

from __future__ import annotations

import html

from ntmgis.core.i18n import fmt_number, fmt_percent

__all__ = ["list_page", "fmt_date"]


def fmt_date(iso: str, lang: str) -> str:
    """``2025-12-31`` as ``31/12/2025`` in Vietnamese; unchanged in English or if not ISO."""
    parts = iso.split("-")
    if lang == "en" or len(parts) != 3 or not all(p.isdigit() for p in parts):
        return iso
    return f"{parts[2]}/{parts[1]}/{parts[0]}"


def list_page(common: dict, met_rows: list[str], *, year: int, lang: str,
              office: str | None = None, criteria: list[int] | None = None) -> str:
    """A plain HTML page linking every map, with the district figures of ``year``.

    With ``office``: only its ``criteria``, and a line naming the office instead of the
    overview's link (an office's set has no overview).
    """
    T = common["T"]
    esc = html.escape
    area = common["area"]
    n = len(met_rows)
    rows = []
    plan_year = common["plan_year"]
    for pos, (num, name, _g) in enumerate(common["criteria"]):
        if criteria is not None and num not in criteria:
            continue
        met = sum(1 for m in met_rows if len(m) > pos and m[pos] == "1")
        target = common["targets"].get(str(num))
        share = fmt_percent(met / n, lang) if n else "–"
        rows.append(
            f'<tr><td>{num}</td><td><a href="criteria/tc{num:02d}.html">{esc(name)}</a></td>'
            f'<td class="n">{fmt_number(met, lang)}/{fmt_number(n, lang)}</td>'
            f'<td class="n">{share}</td>'
            f'<td class="n">{fmt_number(target, lang) if target is not None else "–"}</td>'
            f'<td class="n">{fmt_number(max(target - met, 0), lang) if target is not None else "–"}'
            "</td></tr>")
    ntm = sum(1 for m in met_rows if m.count("1") == len(m))
    avg = sum(m.count("1") for m in met_rows) / n if n else None
    head = (f"<th>#</th><th>{esc(T['criterion'])}</th>"
            f"<th>{esc(T['communes_meeting'])}</th><th>%</th>"
            f"<th>{esc(T['target'].format(year=plan_year))}</th><th>{esc(T['gap'])}</th>")
    title = f"{T['all_maps']} – {area}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{esc(title)}</title>\n<style>\n"
        "body{font-family:system-ui,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;"
        "margin:2em auto;max-width:60em;color:#222;padding:0 1em}"
        "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;"
        "padding:.3em .5em;text-align:left}td.n{text-align:right}a{color:#0b5394}"
        "\n</style>\n</head>\n<body>\n"
        f"<h1>{esc(T['all_maps'])}</h1>\n"
        f"<p>{esc(', '.join(x for x in (area, common['province']) if x))} · "
        f"{esc(T['year'])} {year} · "
        f"{esc(T['data_date'])} {esc(fmt_date(common['data_date'], lang))}</p>\n"
        + (f'<p><strong>{esc(T["office"])}: {esc(office)}</strong> '
           f'({esc(T["office_criteria"].format(criteria=", ".join(map(str, criteria or []))))})'
           '</p>\n<p>' if office else
           f'<p><a href="index.html"><strong>{esc(T["overview"])}</strong></a> · ')
        + f"{esc(T['ntm_communes'].format(n=fmt_number(ntm, lang), total=fmt_number(n, lang)))}"
        + (f" · {esc(T['avg_criteria'].format(x=fmt_number(avg, lang, 2)))}"
           if avg is not None else "")
        + "</p>\n"
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows)
        + "\n</tbody>\n</table>\n</body>\n</html>\n"
    )
