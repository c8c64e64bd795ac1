"""How sensitive numbers are shown outside the file itself."""


def mask_id_number(number: str | None) -> str:
    """330203198001011234 -> 330203********1234."""
    if not number:
        return ""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(digits: str | None) -> str:
    """13812345678 -> 138****5678; 057487654321 -> 057*****4321."""
    if not digits:
        return ""
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
