"""Every template keeps to the Content-Security-Policy (settings.CONTENT_SECURITY_POLICY), which
refuses inline code without the page's nonce and inline styles altogether: no ``style="..."``
attributes and no style elements (their rules belong in src/efh/web/assets/application.scss), no
event-handler attributes or ``javascript:`` links, and every inline ``<script>`` carries
``{{ CSP_NONCE }}``.

Style elements are refused even with the nonce: htmx swaps part of a page from a fresh response,
whose style elements carry that response's nonce, not the page's, and the browser reports each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "efh"
TEMPLATES = sorted(SRC.glob("*/templates/**/*.html"))
NONCE = 'nonce="{{ CSP_NONCE }}"'


def _relative(path: Path) -> str:
    return str(path.relative_to(SRC))


def test_templates_are_found():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("template", TEMPLATES, ids=_relative)
def test_template_has_nothing_inline_the_policy_refuses(template: Path):
    html = template.read_text(encoding="utf-8")
    problems = []
    problems += [f"style attribute: {m}" for m in re.findall(r"\sstyle\s*=\s*[\"'][^\"']*", html)]
    problems += [f"event handler: {m}" for m in re.findall(r"\son[a-z]+\s*=\s*[\"']", html)]
    problems += ["javascript: URL" for _ in re.findall(r"javascript:", html, flags=re.IGNORECASE)]
    for tag in re.findall(r"<script\b[^>]*>", html):
        if "src=" not in tag and NONCE not in tag:
            problems.append(f"inline script without the nonce: {tag}")
    problems += [f"style element: {tag}" for tag in re.findall(r"<style\b[^>]*>", html)]
    assert problems == []
