"""Checks of rendered HTML that WCAG 2.2 AA form pages rely on (ADR 0127): every id is unique
(4.1.1/4.1.2), every ``aria-describedby`` and every in-page link of the error summary points at an
element that exists (1.3.1, 3.3.1), a radio group (or several checkboxes of one name) is a
``<fieldset>`` with a ``<legend>`` (1.3.1), and no ``<div>``/``<fieldset>`` sits inside a ``<p>``
(browsers would close the paragraph early and detach the group from its label)."""

from __future__ import annotations

from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class FormPage(HTMLParser):
    """Parse a page; after ``feed``, :meth:`problems` lists what is wrong."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.described: list[str] = []
        self.summary_links: list[str] = []
        self.nested: list[str] = []
        self.ungrouped_choices: list[tuple[str, str]] = []
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._fieldset_legends: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
        self.described += a.get("aria-describedby", "").split()
        if tag in ("div", "fieldset", "ul", "ol", "table") and any(t == "p" for t, _ in self._stack):
            self.nested.append(f"<{tag} id={a.get('id', '')!r}> inside <p>")
        in_summary = any("error-summary" in x.get("class", "").split() for _, x in self._stack)
        if tag == "a" and in_summary:
            self.summary_links.append(a.get("href", ""))
        if tag == "input" and a.get("type") in ("radio", "checkbox") and all(t != "fieldset" for t, _ in self._stack):
            self.ungrouped_choices.append((a.get("type", ""), a.get("name", "")))
        if tag == "legend" and self._fieldset_legends:
            self._fieldset_legends[-1] = True
        if tag not in _VOID:
            self._stack.append((tag, a))
            if tag == "fieldset":
                self._fieldset_legends.append(False)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break
        if tag == "fieldset" and self._fieldset_legends and not self._fieldset_legends.pop():
            self.nested.append("<fieldset> without <legend>")

    def problems(self) -> list[str]:
        """Every violation found, as readable strings (empty: none)."""
        out = [f"duplicate id {i!r}" for i in sorted({i for i in self.ids if self.ids.count(i) > 1})]
        known = set(self.ids)
        out += [f"aria-describedby names missing id {i!r}" for i in self.described if i not in known]
        out += [f"error summary link {h!r} points nowhere" for h in self.summary_links
                if not h.startswith("#") or h[1:] not in known]
        out += self.nested
        # A radio group, or several checkboxes of one name, need a fieldset; a lone checkbox does not.
        out += [f"{kind} group {name!r} outside a fieldset" for kind, name in sorted(set(self.ungrouped_choices))
                if kind == "radio" or self.ungrouped_choices.count((kind, name)) > 1]
        return out


def form_problems(html: str) -> list[str]:
    """The accessibility problems of a rendered page (see the module docstring)."""
    page = FormPage()
    page.feed(html)
    page.close()
    return page.problems()
