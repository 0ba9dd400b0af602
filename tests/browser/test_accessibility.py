"""An accessibility pass over the main pages, in the browser: every input has a label, one h1,
headings in order, images and charts named, and text — the status colours above all — at a
contrast of at least 4.5:1 (WCAG AA), computed here from the rendered colours."""

import pytest

from tests.browser.conftest import LAPTOP, TABLET, screenshot, sign_in
from tests.web import PASSWORD

pytestmark = pytest.mark.slow

CHECK = """
() => {
  const problems = [];
  const named = (el) => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return true;
    if (el.title) return true;
    if (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) return true;
    if (el.closest('label')) return true;
    return false;
  };
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
    if (!named(el)) {
      problems.push('input without a label: ' + (el.name || el.outerHTML.slice(0, 80)));
    }
  }
  // A label names something: never for="" or for an id the page does not have.
  for (const label of document.querySelectorAll('label[for]')) {
    const target = label.getAttribute('for');
    if (!target || !document.getElementById(target)) {
      problems.push('label for nothing: ' + label.outerHTML.slice(0, 80));
    }
  }
  // A group of radios is a fieldset named by its legend; each radio has its own label.
  for (const radio of document.querySelectorAll('input[type="radio"]')) {
    const group = radio.closest('fieldset');
    const legend = group && group.querySelector(':scope > legend');
    if (!legend || !legend.textContent.trim()) {
      problems.push('radio outside a fieldset with a legend: ' + radio.name);
    }
    const own = radio.closest('label')
      || document.querySelector(`label[for="${CSS.escape(radio.id)}"]`);
    if (!own || !own.textContent.trim()) {
      problems.push('radio without its own label: ' + radio.name);
    }
  }
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')];
  const h1 = headings.filter((h) => h.tagName === 'H1').length;
  if (h1 !== 1) problems.push(`${h1} h1 elements`);
  let previous = 0;
  for (const h of headings) {
    const level = Number(h.tagName[1]);
    if (previous && level > previous + 1) {
      const text = h.textContent.trim().slice(0, 40);
      problems.push(`heading jumps from h${previous} to h${level}: ${text}`);
    }
    previous = level;
  }
  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) problems.push('image without alt: ' + img.src);
  }
  // Decorative drawings (a progress bar's track: the bar itself carries the name) are hidden.
  for (const svg of document.querySelectorAll('svg:not([aria-hidden="true"])')) {
    const name = svg.getAttribute('aria-label') || svg.getAttribute('aria-labelledby');
    if (!(name || svg.querySelector('title'))) {
      problems.push('chart without a name');
    }
  }
  for (const el of document.querySelectorAll('a[href], button')) {
    if (!el.textContent.trim() && !el.getAttribute('aria-label')) {
      problems.push('link or button without a name: ' + el.outerHTML.slice(0, 80));
    }
  }
  if (!document.documentElement.lang) problems.push('no lang on <html>');
  return problems;
}
"""

COLOURS = """
() => {
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const bg = getComputedStyle(node).backgroundColor;
      if (bg && !bg.startsWith('rgba(0, 0, 0, 0)') && bg !== 'transparent') return bg;
    }
    return 'rgb(255, 255, 255)';
  };
  const sample = document.querySelectorAll(
    '.status, .state, .muted, .message, .alert, .notice, a, button, th, td, label, p, legend, '
      + '.who, .kind, .tag'
  );
  const out = [];
  for (const el of sample) {
    if (!el.textContent.trim() || !(el.offsetWidth || el.offsetHeight)) continue;
    if (el.closest('.visually-hidden')) continue;
    out.push({
      what: (el.className || el.tagName) + ': ' + el.textContent.trim().slice(0, 30),
      fg: getComputedStyle(el).color,
      bg: background(el),
      status: el.matches('.status, .state'),
    });
  }
  return out;
}
"""


def _rgb(text: str) -> tuple[float, float, float]:
    parts = text[text.index("(") + 1 : text.index(")")].split(",")
    return tuple(float(p) for p in parts[:3])


def _luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    a, b = sorted((_luminance(_rgb(fg)), _luminance(_rgb(bg))), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_contrast_formula():
    assert contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)") == pytest.approx(21)
    assert contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)") == pytest.approx(4.54, abs=0.01)


def test_the_main_pages_pass_the_accessibility_checks(pages, live_server, new_page):
    base = live_server.url
    problems, low = [], []
    anonymous = new_page(LAPTOP)
    anonymous.goto(f"{base}/accounts/login/")
    problems += [f"/accounts/login/: {p}" for p in anonymous.evaluate(CHECK)]
    for username, paths in pages.items():
        for viewport in (LAPTOP, TABLET):
            page = new_page(viewport)
            sign_in(page, base, username, PASSWORD)
            for path in paths:
                page.goto(f"{base}{path}")
                assert page.locator("h1").count() == 1, path
                problems += [f"{path}: {p}" for p in page.evaluate(CHECK)]
                for item in page.evaluate(COLOURS):
                    ratio = contrast(item["fg"], item["bg"])
                    if ratio < 4.5:
                        low.append(
                            f"{path} {item['what']!r}: {ratio:.2f} ({item['fg']} on {item['bg']})"
                        )
    screenshot(page, "figure-review-tablet.png")
    assert not problems, "\n".join(problems[:30])
    assert not low, "\n".join(sorted(set(low))[:30])


def test_every_status_colour_has_enough_contrast(pages, live_server, new_page):
    """All seven statuses and five states are on the dashboard and the figures list."""
    page = new_page(LAPTOP)
    sign_in(page, live_server.url, "staff1", PASSWORD)
    seen = {}
    for path in ("/", "/figures/", "/plans/zj-ai-2019-2022/targets/robots-in-service/"):
        page.goto(f"{live_server.url}{path}")
        for item in page.evaluate(COLOURS):
            if item["status"]:
                seen[item["what"].split(":")[0]] = contrast(item["fg"], item["bg"])
    statuses = {k for k in seen if k.startswith("status status-")}
    assert len(statuses) == 7, sorted(seen)
    assert all(ratio >= 4.5 for ratio in seen.values()), seen


def test_the_export_pages_pass_the_accessibility_checks(plan, live_server, new_page, make_user):
    """The export and bulletin forms (auditors' pages): the format and language radios are a
    fieldset with a legend, each radio its own label; in Chinese and in English."""
    from plans.models import ResponsibleUnit

    make_user("auditor1", "auditor", ResponsibleUnit.objects.get(code="econ-it"))
    page = new_page(LAPTOP)
    sign_in(page, live_server.url, "auditor1", PASSWORD)
    problems = []
    for language in ("zh-hans", "en"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for path in ("/reports/", "/reports/bulletin/"):
            page.goto(f"{live_server.url}{path}")
            problems += [f"{path} ({language}): {p}" for p in page.evaluate(CHECK)]
            legend = page.locator("fieldset legend").first.inner_text()
            assert legend.strip(), path
            radios = page.locator("fieldset input[type=radio]")
            assert radios.count() >= 2, path
            for i in range(radios.count()):
                radio = radios.nth(i)
                label = page.locator(f"label[for='{radio.get_attribute('id')}']")
                assert label.inner_text().strip(), path
        screenshot(page, f"bulletin-form-{language}.png")
    assert not problems, "\n".join(problems)


def test_the_publications_page_passes_the_accessibility_checks(
    plan, live_server, new_page, make_user
):
    """An administrator publishes an edition from the page; the page with its publish form,
    the list and a withdraw form passes the checks, in Chinese and in English."""
    from plans.models import ResponsibleUnit
    from publishing.models import Publication

    make_user("boss1", "admin", ResponsibleUnit.objects.get(code="econ-it"))
    page = new_page(LAPTOP)
    sign_in(page, live_server.url, "boss1", PASSWORD)
    page.goto(f"{live_server.url}/publications/")
    page.fill("#id_as_of", "2021-06-30")
    page.locator("main form.form.card button[type=submit]").click()
    page.wait_for_load_state()
    assert Publication.objects.count() == 1
    digest = Publication.objects.get().digest
    assert page.locator(f'code.digest[title="{digest}"]').count() == 1
    problems = []
    for language in ("zh-hans", "en"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/publications/")
        page.locator("details summary").first.click()  # the withdraw form
        problems += [f"/publications/ ({language}): {p}" for p in page.evaluate(CHECK)]
        screenshot(page, f"publications-{language}.png")
    assert not problems, "\n".join(problems)
