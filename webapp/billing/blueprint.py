"""The billing area's blueprint, shared by its views' modules."""

from flask import Blueprint

bp = Blueprint("billing", __name__)
