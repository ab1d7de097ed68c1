"""Tailwind's own compiler (the in-browser one NiceGUI ships) run in Chromium: what
tests/e2e/test_utility_styles.py rebuilds pages/utilities.css with, and what
tests/e2e/test_every_page.py runs on each page to find a rule the stylesheet lacks."""

from __future__ import annotations

from pathlib import Path

import nicegui
from playwright.sync_api import Page

from pages import utilities

COMPILER = Path(nicegui.__file__).parent / "static" / "tailwindcss.min.js"
# NiceGUI's setting for Tailwind: `dark:` classes follow Quasar's dark mode, not the system's.
DARK_VARIANT = "@custom-variant dark (&:where(body.body--dark, body.body--dark *));"

# Tailwind's compiler writes its rules into a <style> element of its own.
_COMPILED = """() => [...document.querySelectorAll('style')]
  .map(s => s.textContent).find(t => t.includes('tailwindcss v'))"""
# Every declaration of a stylesheet's style rules, with its selector and the @media and
# @layer around it (one by one: the compiler writes only the theme's variables in use).
_RULES = """sheet => {
  const out = [];
  const walk = (rules, around) => {
    for (const r of rules) {
      if (r.cssRules && !r.selectorText) {
        const at = r.media ? '@media ' + r.media.mediaText : r.name ? '@layer ' + r.name : '';
        walk(r.cssRules, around + at + ' ');
      } else if (r.selectorText) {
        for (const p of r.style) {
          const value = r.style.getPropertyValue(p);
          const important = r.style.getPropertyPriority(p) ? ' !important' : '';
          out.push(`${around}${r.selectorText} { ${p}: ${value}${important} }`);
        }
      }
    }
  };
  walk(sheet.cssRules, '');
  return out;
}"""


def compiled(page: Page) -> str:
    """Run Tailwind's compiler on the page as it is; its CSS once written."""
    page.evaluate(
        """variant => { const s = document.createElement('style');
        s.type = 'text/tailwindcss'; s.textContent = variant; document.head.append(s); }""",
        DARK_VARIANT,
    )
    page.add_script_tag(path=str(COMPILER))
    page.wait_for_function(_COMPILED)
    return str(page.evaluate(_COMPILED))


def rules_lacking(page: Page) -> list[str]:
    """The rules Tailwind's compiler writes for the page as it is that the stylesheet, which
    the page must link, does not hold. The compiler's rules stay in the page: call it last."""
    ours = page.evaluate(
        f"""() => ({_RULES})([...document.styleSheets].find(s =>
        (s.href || '').includes('{utilities.PATH}.')))"""
    )
    assert ours, f"{page.url} does not link the stylesheet"
    compiled(page)
    theirs = page.evaluate(
        f"""() => ({_RULES})([...document.styleSheets].find(s =>
        (s.ownerNode.textContent || '').includes('tailwindcss v')))"""
    )
    return sorted(set(theirs) - set(ours))
