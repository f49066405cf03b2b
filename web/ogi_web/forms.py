"""Forms as data: each input with its Chinese label, kind and choices; what was posted, checked
here first (required, a number, one of the choices) with the message beside the field in Chinese,
then by the service, whose refusal of a field lands beside that field too."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.datastructures import FormData

from ogi_law.refusals import refusal_detail, status_title
from ogi_web.backend import ServiceError
from ogi_web.errors import field_message

#: Kinds of input: text, textarea, date, number, select, radio, checks (several of the choices).
KINDS = ("text", "textarea", "date", "number", "select", "radio", "checks")


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: str = "text"
    choices: Mapping[str, str] = field(default_factory=dict)
    required: bool = False
    hint: str = ""
    default: str = ""
    max_len: int = 0


@dataclass
class Posted:
    """What a form holds: its values, and a message per field where something is wrong."""

    values: dict[str, str | list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    #: A message about the whole form (not about one field).
    problem: str = ""

    def text(self, name: str) -> str:
        value = self.values.get(name, "")
        return value if isinstance(value, str) else ""

    def many(self, name: str) -> list[str]:
        value = self.values.get(name, [])
        return value if isinstance(value, list) else [value] if value else []

    def number(self, name: str) -> int:
        text = self.text(name)
        return int(text) if text.isdigit() else 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problem

    def refused(self, error: ServiceError, inputs: tuple[Input, ...]) -> None:
        """The service's refusal: beside its field when the form has it, else above the form."""
        names = {i.name for i in inputs}
        if error.code == "INVALID_ARGUMENT" and error.field in names:
            self.errors[error.field] = field_message(error)
        else:
            detail = refusal_detail(error.message, error.field)
            self.problem = f"{status_title(error.code)}：{detail}"


def defaults(inputs: tuple[Input, ...]) -> Posted:
    return Posted({i.name: i.default for i in inputs if i.default})


def checked(form: FormData, inputs: tuple[Input, ...]) -> Posted:
    """The form's values for ``inputs``, checked as the page can check them."""
    posted = Posted()
    for item in inputs:
        if item.kind == "checks":
            chosen = [str(v) for v in form.getlist(item.name)]
            posted.values[item.name] = chosen
            if item.required and not chosen:
                posted.errors[item.name] = "请至少选择一项"
            elif any(c not in item.choices for c in chosen):
                posted.errors[item.name] = "请从所列选项中选择"
            continue
        value = str(form.get(item.name) or "").strip()
        posted.values[item.name] = value
        if not value:
            if item.required:
                posted.errors[item.name] = "此项必填"
        elif item.kind in ("select", "radio") and value not in item.choices:
            posted.errors[item.name] = "请从所列选项中选择"
        elif item.kind == "number" and not value.isdigit():
            posted.errors[item.name] = "请填写整数"
        elif item.max_len and len(value) > item.max_len:
            posted.errors[item.name] = f"不能超过 {item.max_len} 个字"
    return posted
