from django import template

register = template.Library()


@register.filter
def lookup(mapping: dict, key: str):
    """mapping[key] or '' (templates cannot index a dict with a variable)."""
    return mapping.get(key, "") if mapping else ""
