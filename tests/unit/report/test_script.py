"""The report's script, run by Node against a small stand-in for the page: tables sort right."""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib import resources

import pytest

NODE = shutil.which("node")

# A page of one sortable table with a name column and a value column, enough
# for the script's table code; it prints the names in row order after each click.
HARNESS = r"""
const vm = require("vm");
function classes() {
  const set = new Set();
  return { add: (c) => set.add(c), remove: (c) => set.delete(c), contains: (c) => set.has(c) };
}
function element(attributes, text) {
  return {
    attributes: Object.assign({}, attributes), textContent: text, listeners: {},
    classList: classes(),
    hasAttribute(name) { return name in this.attributes; },
    getAttribute(name) { return name in this.attributes ? this.attributes[name] : null; },
    setAttribute(name, value) { this.attributes[name] = String(value); },
    removeAttribute(name) { delete this.attributes[name]; },
    addEventListener(type, listener) { this.listeners[type] = listener; },
  };
}
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const heads = [element({}, "name"), element({}, "value")];
const body = {
  rows: input.rows.map(([name, value, shown]) => ({
    cells: [element({}, name), element(value === null ? {} : { "data-value": value }, shown)],
  })),
  appendChild(row) { this.rows = this.rows.filter((r) => r !== row); this.rows.push(row); },
};
const table = { tHead: { rows: [{ cells: heads }] }, tBodies: [body] };
const context = {
  document: {
    documentElement: { classList: classes() },
    querySelectorAll: (selector) => (selector === "table.sortable" ? [table] : []),
  },
};
vm.runInNewContext(input.script, context);
const out = [];
for (const column of input.clicks) {
  heads[column].listeners.click();
  out.push({ order: body.rows.map((r) => r.cells[0].textContent),
             sort: heads[column].getAttribute("aria-sort") });
}
console.log(JSON.stringify(out));
"""


def clicks(rows: list[tuple[str, str | None, str]], columns: list[int]) -> list[dict[str, str]]:
    script = resources.files("linkequity.report").joinpath("assets/report.js").read_text("utf-8")
    payload = json.dumps({"rows": rows, "clicks": columns, "script": script})
    assert NODE is not None
    done = subprocess.run(  # noqa: S603 - our own harness and script
        [NODE, "-e", HARNESS],
        input=payload,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: list[dict[str, str]] = json.loads(done.stdout)
    return result


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
def test_a_click_sorts_by_exact_value_then_reverses_and_blanks_stay_last() -> None:
    rows = [
        ("b", "0.5", "0.500"),
        ("a", "1e-05", "0.00001"),
        ("none", "", "-"),
        ("c", "12", "12"),
    ]
    ascending, descending = clicks(rows, [1, 1])
    assert ascending == {"order": ["a", "b", "c", "none"], "sort": "ascending"}
    assert descending == {"order": ["c", "b", "a", "none"], "sort": "descending"}


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
def test_text_columns_sort_by_text_and_one_header_is_sorted_at_a_time() -> None:
    rows = [("beta", "2", "2"), ("Alpha", "3", "3"), ("gamma", "1", "1")]
    by_value, by_name = clicks(rows, [1, 0])
    assert by_value["order"] == ["gamma", "beta", "Alpha"]
    assert by_name == {"order": ["Alpha", "beta", "gamma"], "sort": "ascending"}
