"""What a browser could send from a page: its forms and the query parameters of its links."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlparse


@dataclass
class Form:
    action: str  # a path
    method: str  # "get" or "post"
    fields: dict[str, str] = field(default_factory=dict)  # name -> what the browser sends
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons
    has_file: bool = False

    def signature(self) -> tuple:
        return (self.action, self.method, tuple(sorted(self.fields)))


class PageReader(HTMLParser):
    """Collects the forms of a page (as a browser would fill them by default) and the
    names of the query parameters its links use on the same path."""

    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.link_params: set[str] = set()
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and "href" in a:
            self._link(a["href"])
        if tag == "form":
            action = urljoin(self.page_path, a.get("action") or self.page_path)
            method = (a.get("method") or "get").lower()
            self._form = Form(action=urlparse(action).path or self.page_path, method=method)
            if urlparse(action).query:
                self._form.action += "?" + urlparse(action).query
            self.forms.append(self._form)
            return
        form, name = self._form, a.get("name")
        if form is None or not name:
            return
        kind = a.get("type", "text").lower()
        if tag == "input":
            if kind in ("submit", "image"):
                form.buttons.append((name, a.get("value", "")))
            elif kind == "file":
                form.has_file = True
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields[name] = a.get("value", "on")
                else:
                    form.fields.setdefault(name, "")
            else:
                form.fields[name] = a.get("value", "")
        elif tag == "button" and kind == "submit":
            form.buttons.append((name, a.get("value", "")))
        elif tag == "select":
            self._select, self._select_first = name, None
            form.fields.setdefault(name, "")
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
                form.fields[self._select] = value
            if "selected" in a:
                form.fields[self._select] = value
        elif tag == "textarea":
            self._textarea = name
            form.fields[name] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def _link(self, href: str) -> None:
        target = urlparse(urljoin(self.page_path, href))
        if target.path == urlparse(self.page_path).path and target.query:
            self.link_params.update(name for name, _v in parse_qsl(target.query, True))


def read_page(path: str, html: str) -> PageReader:
    reader = PageReader(path)
    reader.feed(html)
    reader.close()
    return reader
