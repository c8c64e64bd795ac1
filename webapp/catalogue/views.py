"""The company's catalogue page: service items, their assessment rules, materials."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.catalogue import services
from webapp.catalogue.forms import ItemRulesForm, MaterialCostForm, MaterialForm, ServiceItemForm
from webapp.core.access import require
from webapp.core.forms import saved
from webapp.core.money import fen_to_yuan

bp = Blueprint("catalogue", __name__)
POSTED = ("item-name", "material-name", "rules_item", "cost_material")


def _rules_form(item, formdata=None) -> ItemRulesForm:
    """The rules form of one item; its prefix keeps field ids unique on the page."""
    return ItemRulesForm(
        formdata=formdata,
        prefix=f"rules-{item.id}",
        data={
            "room_kinds": item.kinds,
            "minutes_per_m2": item.minutes_per_m2,
            "min_minutes": item.min_minutes,
        },
    )


def _cost_form(material, formdata=None) -> MaterialCostForm:
    return MaterialCostForm(
        formdata=formdata,
        prefix=f"cost-{material.id}",
        data={"unit_cost": f"{fen_to_yuan(material.unit_cost_fen)}"},
    )


def _forms(items, materials) -> dict:
    return {
        "item_form": ServiceItemForm(prefix="item"),
        "material_form": MaterialForm(prefix="material"),
        "rules_forms": {item.id: _rules_form(item) for item in items},
        "cost_forms": {material.id: _cost_form(material) for material in materials},
    }


def _save_item(form: ServiceItemForm):
    company_id = current_user.company_id
    services.save_service_item(company_id, form.name.data, form.unit.data, form.price.fen)


def _save_material(form: MaterialForm):
    company_id = current_user.company_id
    services.save_material(
        company_id, form.name.data, form.unit.data, form.is_tool.data, form.unit_cost.fen
    )


def _post_cost(materials, forms: dict) -> str | None:
    material = next((m for m in materials if str(m.id) == request.form["cost_material"]), None)
    if material is None:
        abort(404)
    form = forms["cost_forms"][material.id] = _cost_form(material, request.form)
    ok = saved(form, lambda form: services.set_unit_cost(material, form.unit_cost.fen))
    return f"#material-{material.id}" if ok else None


def _save_rules(form: ItemRulesForm, item):
    services.save_item_rules(
        item, form.room_kinds.data, form.minutes_per_m2.data, form.min_minutes.data
    )


def _post(items, materials, forms: dict) -> str | None:
    """Save what was posted: where on the page to go back to, or None with errors shown."""
    if not set(POSTED) & set(request.form):
        abort(400)
    if "item-name" in request.form and saved(forms["item_form"], _save_item):
        return ""
    if "material-name" in request.form and saved(forms["material_form"], _save_material):
        return ""
    if "cost_material" in request.form:
        return _post_cost(materials, forms)
    if "rules_item" not in request.form:
        return None
    item = next((i for i in items if str(i.id) == request.form["rules_item"]), None)
    if item is None:
        abort(404)
    form = forms["rules_forms"][item.id] = _rules_form(item, request.form)
    return f"#item-{item.id}" if saved(form, lambda form: _save_rules(form, item)) else None


@bp.route("/catalogue", methods=["GET", "POST"])
@require("catalogue.edit")
def index():
    items, materials = services.catalogue(current_user.company_id)
    forms = _forms(items, materials)
    if request.method == "POST" and (anchor := _post(items, materials, forms)) is not None:
        return redirect(url_for("catalogue.index") + anchor, code=303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "catalogue/index.html", items=items, materials=materials, **forms
    ), status
