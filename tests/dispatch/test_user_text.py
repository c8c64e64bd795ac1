"""Text a user typed is shown as text: messages that carry it escape it once."""

import pytest
from flask import render_template_string
from wtforms import StringField

from tests.factories import PASSWORD
from webapp.core.forms import SubForm
from webapp.core.i18n import _l

SCRIPT = "<script>alert(1)</script>"


@pytest.mark.rule("R7", "D6")
def test_a_cancel_reason_with_markup_is_text_on_the_409_page(client, desk):
    order = desk.order()
    client.post("/login", data={"username": desk.manager.username, "password": PASSWORD})
    url = f"/orders/{order.id}/cancel"
    data = {"cancel-reason": SCRIPT, "cancel-version": str(order.version)}
    assert client.post(url, data=data).status_code == 303
    again = client.post(url, data=data)
    assert again.status_code == 409
    assert SCRIPT not in again.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in again.text


@pytest.mark.rule("D6")
def test_a_lazy_message_is_escaped_once_wherever_it_is_rendered(app):
    class LabelForm(SubForm):
        name = StringField(_l("Tools & materials"))

    with app.test_request_context():
        message = _l("Cancelled: %(reason)s", reason='<b hx-get="/x">&')
        page = render_template_string(
            "{{ m }}|{{ m|e }}|{{ f.name.label }}", m=message, f=LabelForm()
        )
    text = "Cancelled: &lt;b hx-get=&#34;/x&#34;&gt;&amp;"
    assert page == f'{text}|{text}|<label for="name">Tools &amp; materials</label>'
