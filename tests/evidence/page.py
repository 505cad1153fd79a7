"""A small reader for the evidence page, built on html.parser: text by element id, tags, links."""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text_by_id: dict[str, str] = {}
        self.classes_by_id: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.rows: dict[str, list[list[str]]] = defaultdict(list)  # table rows under a section id, by cell
        self._open: list[tuple[str, str | None]] = []
        self._buffers: dict[str, list[str]] = {}
        self._section: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        ident = attributes.get("id")
        if tag == "section" and ident and not ident.startswith("q-"):
            self._section = ident
        if tag == "tr" and self._section:
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []
        if tag in _VOID:
            return
        self._open.append((tag, ident))
        if ident:
            self._buffers[ident] = []
            self.classes_by_id[ident] = attributes.get("class", "").split()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag == "tr" and self._row is not None and self._section:
            self.rows[self._section].append(self._row)
            self._row = None
        while self._open:
            open_tag, ident = self._open.pop()
            if ident:
                self.text_by_id[ident] = " ".join("".join(self._buffers.pop(ident)).split())
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for buffer in self._buffers.values():
            buffer.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def number(self, ident: str) -> int:
        return int(self.text_by_id[ident])

    def hrefs(self) -> list[str]:
        return [a["href"] for tag, a in self.tags if tag == "a" and "href" in a]
