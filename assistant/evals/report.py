"""Eval reports: one self-contained HTML file, JSON and JUnit XML."""

from __future__ import annotations

import html
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

if TYPE_CHECKING:  # pragma: no cover
    from .runner import RunResult

_ORDER = {"error": 0, "fail": 1, "pass": 2}
_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px}.sum{padding:8px 12px;border-radius:6px;background:#f3f3f3}
.case{border:1px solid #ddd;border-radius:6px;margin:10px 0;padding:0}
.case>summary{cursor:pointer;padding:8px 12px;font-weight:600}
.pass>summary{background:#eef8ee}.fail>summary{background:#fdecec}.error>summary{background:#fff4dd}
.body{padding:8px 16px}pre{white-space:pre-wrap;background:#fafafa;border:1px solid #eee;padding:8px;max-height:420px;overflow:auto}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
.ok{color:#186a1d}.bad{color:#b00020}.tag{font-size:12px;padding:1px 6px;border-radius:8px;background:#ddd;margin-left:6px}
.regressed{background:#b00020;color:#fff}.fixed{background:#186a1d;color:#fff}.new{background:#555;color:#fff}
.filters{position:sticky;top:0;background:#fff;padding:8px 0;border-bottom:1px solid #ddd;z-index:1}
.filters label{margin-right:14px}.hidden{display:none}
"""
#: Filters without external assets: three selects and a counter, applied to the cases' data-* attributes.
_JS = """
(function(){
  var cases=[].slice.call(document.querySelectorAll('details.case'));
  var f={suite:document.getElementById('f-suite'),status:document.getElementById('f-status'),
         check:document.getElementById('f-check')};
  var shown=document.getElementById('f-shown');
  function apply(){
    var n=0;
    cases.forEach(function(el){
      var st=f.status.value, ck=f.check.value;
      var ok=(!f.suite.value||el.dataset.suite===f.suite.value)&&
             (!st||el.dataset.verdict===st||el.dataset.change===st)&&
             (!ck||(' '+el.dataset.failed+' ').indexOf(' '+ck+' ')>=0);
      el.classList.toggle('hidden',!ok); if(ok){n++;}
    });
    shown.textContent=n+' of '+cases.length+' cases';
    var q=[]; for(var k in f){ if(f[k].value){q.push(k+'='+encodeURIComponent(f[k].value));} }
    history.replaceState(null,'',q.length?'#'+q.join('&'):location.pathname);
  }
  location.hash.slice(1).split('&').forEach(function(kv){
    var p=kv.split('='); if(f[p[0]]){f[p[0]].value=decodeURIComponent(p[1]||'');}
  });
  for(var k in f){f[k].addEventListener('change',apply);}
  apply();
})();
"""


def _esc(value: object) -> str:
    return html.escape(str(value))


def render_html(run: "RunResult", summary: str) -> str:
    rows = sorted(run.results, key=lambda r: (_ORDER.get(r.verdict, 3), r.change != "regressed", r.suite, r.case_id))
    stats = run.suite_stats()
    out = ["<!doctype html><html><head><meta charset='utf-8'><title>IPT eval report</title>",
           f"<style>{_CSS}</style></head><body>", "<h1>IPT Assistant — eval report</h1>",
           f"<p class='sum'>{_esc(summary)}</p>", "<table><tr><th>suite</th><th>pass</th><th>fail</th><th>error</th>"
           "<th>pass rate</th></tr>"]
    for suite, s in stats.items():
        out.append(f"<tr><td>{suite}</td><td>{s['passed']}</td><td>{s['failed']}</td><td>{s['errors']}</td>"
                   f"<td>{s['pass_rate']:.1%}</td></tr>")
    out.append("</table>")
    m = run.metrics.get("retrieval", {})
    if m.get("n"):
        out.append(f"<p>Retrieval over {m['n']} cases: recall@{m['k']} {m['recall_at_k']:.3f}, "
                   f"hit@{m['k']} {m['hit_at_k']:.3f}, MRR {m['mrr']:.3f}</p>")
    c = run.comparison
    if c.get("removed"):
        out.append(f"<p>Removed since baseline: {_esc(', '.join(c['removed']))}</p>")
    out.append(_filters(run))
    for r in rows:
        tag = f"<span class='tag {r.change}'>{r.change}</span>" if r.change in ("regressed", "fixed", "new") else ""
        failed = " ".join(ch["name"] for ch in r.checks if not ch["passed"])
        out.append(f"<details class='case {r.verdict}' data-suite='{_esc(r.suite)}' data-verdict='{_esc(r.verdict)}' "
                   f"data-change='{_esc(r.change)}' data-failed='{_esc(failed)}'{' open' if r.verdict != 'pass' else ''}>"
                   f"<summary>{r.verdict.upper()} · {r.suite} / {_esc(r.case_id)}{tag}</summary><div class='body'>")
        out.append("<h4>Input</h4><pre>" + _esc(json.dumps(r.input, indent=1, ensure_ascii=False)) + "</pre>")
        if r.error:
            out.append(f"<p class='bad'>Error: {_esc(r.error)}</p>")
        if r.retrieved:
            out.append(f"<p>Retrieved: {_esc(', '.join(r.retrieved))}</p>")
        if r.techniques:
            out.append(f"<p>Techniques (ranked): {_esc(', '.join(r.techniques))}</p>")
        if r.checks:
            out.append("<table><tr><th>check</th><th>result</th><th>reason</th></tr>")
            for ch in r.checks:
                cls, word = ("ok", "pass") if ch["passed"] else ("bad", "fail")
                out.append(f"<tr><td>{_esc(ch['name'])}</td><td class='{cls}'>{word}</td><td>{_esc(ch['reason'])}</td></tr>")
            out.append("</table>")
        if r.judge:
            out.append("<h4>LLM judge</h4><pre>" + _esc(json.dumps(r.judge, indent=1, ensure_ascii=False)) + "</pre>")
        if r.flags:
            out.append("<p>Flags: " + _esc("; ".join(f"{f['code']}: {f['message']}" for f in r.flags)) + "</p>")
        if r.output:
            out.append(f"<h4>{'Answer' if r.suite == 'next_step' else 'Note'} ({_esc(r.mode)})</h4><pre>{_esc(r.output)}</pre>")
        out.append("</div></details>")
    out.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(out)


def _options(values: list[str], everything: str) -> str:
    return f"<option value=''>{everything}</option>" + "".join(
        f"<option value='{_esc(v)}'>{_esc(v)}</option>" for v in values)


def _filters(run: "RunResult") -> str:
    """The filter bar: suite, status (verdict or change against the baseline) and failing check."""
    suites = sorted({r.suite for r in run.results})
    statuses = [s for s in ("pass", "fail", "error") if any(r.verdict == s for r in run.results)]
    statuses += [s for s in ("regressed", "fixed", "new") if any(r.change == s for r in run.results)]
    checks = sorted({ch["name"] for r in run.results for ch in r.checks})
    return ("<div class='filters'>"
            f"<label>Suite <select id='f-suite'>{_options(suites, 'all suites')}</select></label>"
            f"<label>Status <select id='f-status'>{_options(statuses, 'any status')}</select></label>"
            f"<label>Failing check <select id='f-check'>{_options(checks, 'any check')}</select></label>"
            "<span id='f-shown'></span></div>")


def render_junit(run: "RunResult") -> str:
    root = ET.Element("testsuites", name="ipt-eval", time=str(run.seconds))
    for suite in ("next_step", "notes"):
        rs = [r for r in run.results if r.suite == suite]
        if not rs:
            continue
        el = ET.SubElement(root, "testsuite", name=suite, tests=str(len(rs)),
                           failures=str(sum(r.verdict == "fail" for r in rs)),
                           errors=str(sum(r.verdict == "error" for r in rs)))
        for r in rs:
            tc = ET.SubElement(el, "testcase", classname=f"ipt.{suite}", name=r.case_id, time=str(r.duration_ms / 1000))
            if r.verdict == "fail":
                msg = "; ".join(c["reason"] for c in r.checks if not c["passed"]) or "judge fail"
                ET.SubElement(tc, "failure", message=msg[:500]).text = msg
            elif r.verdict == "error":
                ET.SubElement(tc, "error", message=(r.error or "")[:500]).text = r.error or ""
    return ET.tostring(root, encoding="unicode")


def write_reports(run: "RunResult", folder: Path) -> dict[str, Path]:
    """Write the four reports into ``folder``, each with mode 0600 (reports quote the inputs)."""
    from .recordings import make_private_dir, write_private
    from .runner import summary_line

    make_private_dir(folder)
    summary = summary_line(run)
    paths = {"html": folder / "eval-report.html", "json": folder / "eval-report.json",
             "junit": folder / "eval-junit.xml", "summary": folder / "eval-summary.txt"}
    write_private(paths["html"], render_html(run, summary))
    payload = {"summary": summary, "mode": run.mode, "model": run.model, "catalog_hash": run.catalog_hash,
               "seconds": run.seconds, "suites": run.suite_stats(), "metrics": run.metrics,
               "comparison": run.comparison, "results": [asdict(r) for r in run.results]}
    write_private(paths["json"], json.dumps(payload, indent=1, ensure_ascii=False))
    write_private(paths["junit"], render_junit(run))
    write_private(paths["summary"], summary + "\n")
    return paths
