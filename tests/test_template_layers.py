"""tools/check_template_layers.py: templates' {% load %} tags follow the layers contract."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def checker():
    spec = importlib.util.spec_from_file_location(
        "check_template_layers", ROOT / "tools" / "check_template_layers.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PYPROJECT = """
[[tool.importlinter.contracts]]
type = "layers"
layers = ["site", "top | side", "low"]
"""


def project(tmp_path: Path, templates: dict[str, str]) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.importlinter]\n" + PYPROJECT)
    for app in ("site", "top", "side", "low"):
        tags = tmp_path / app / "templatetags"
        tags.mkdir(parents=True)
        (tags / "__init__.py").write_text("")
        (tags / f"{app}_tags.py").write_text("")
    for path, text in templates.items():
        file = tmp_path / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text)
    return tmp_path


def test_the_project_s_templates_keep_the_order():
    assert checker().violations(ROOT) == []


def test_loading_from_below_or_from_outside_the_project_is_allowed(tmp_path):
    root = project(
        tmp_path,
        {
            "site/templates/page.html": "{% load i18n top_tags low_tags %}",
            "top/templates/top.html": "{% load static low_tags top_tags %}",
        },
    )
    assert checker().violations(root) == []


def test_loading_from_above_or_from_an_independent_sibling_is_reported(tmp_path):
    root = project(
        tmp_path,
        {
            "low/templates/low.html": "{% load i18n site_tags %}",
            "top/templates/top.html": "{% load thing from side_tags %}",
        },
    )
    found = checker().violations(root)
    assert len(found) == 2
    assert found[0].startswith("low/templates/low.html: loads site_tags from site")
    assert found[1].startswith("top/templates/top.html: loads side_tags from side")
