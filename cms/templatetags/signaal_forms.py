"""Render Django form fields as NL Design System form fields."""

from django import forms, template

register = template.Library()

_TEXT_INPUTS = (
    forms.TextInput,
    forms.EmailInput,
    forms.PasswordInput,
    forms.NumberInput,
    forms.URLInput,
)


@register.filter
def nlds_widget(field: forms.BoundField) -> str:
    """The field's widget with the Utrecht classes and the ARIA links to its help text and
    errors, so screen readers announce them with the input."""
    widget = field.field.widget
    attrs: dict[str, str] = {}
    if isinstance(widget, _TEXT_INPUTS):
        attrs["class"] = "utrecht-textbox utrecht-textbox--html-input"
    elif isinstance(widget, forms.Textarea):
        attrs["class"] = "utrecht-textarea utrecht-textarea--html-textarea"
    elif isinstance(widget, forms.Select):
        attrs["class"] = "utrecht-select utrecht-select--html-select"
    elif isinstance(widget, forms.CheckboxInput):
        attrs["class"] = "utrecht-checkbox utrecht-checkbox--html-input"
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_errors")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)
