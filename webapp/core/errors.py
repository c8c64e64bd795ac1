"""Domain errors that views turn into messages next to a field."""


class FieldError(ValueError):
    """A business rule broken by one field's value."""

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field = field
        self.message = message


class RuleError(ValueError):
    """A business rule that refuses the action as a whole."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def attach(form, error: FieldError) -> None:
    """Put a service's FieldError next to its form field.

    Dotted names reach subforms and list entries: "room.2.area".
    """
    field = form
    for part in error.field.split("."):
        field = field[int(part)] if part.isdigit() else field[part]
    field.errors = [*field.errors, error.message]
