"""Two tablets (or more) doing one thing at the same moment, on a committed app.

`at_once(app, names, act)` runs `act(name)` for each name in a thread of its own, in a
POST request's context, all released together; each act commits, or is rolled back
when the rules refuse it. The outcome per name: what `act` returned, or the refusal's
message.
"""

import threading
from collections.abc import Callable, Iterable

from sqlalchemy.orm.exc import StaleDataError

from webapp.core.errors import RuleError
from webapp.extensions import db


def at_once(
    app,
    names: Iterable[str],
    act: Callable[[str], str],
    refused: tuple[type[BaseException], ...] = (RuleError,),
    explain: Callable[[BaseException], str] | None = None,
) -> dict[str, str]:
    names = list(names)
    start = threading.Barrier(len(names))
    outcomes: dict[str, str] = {}

    def attempt(name: str) -> None:
        with app.test_request_context(method="POST"):
            start.wait()
            try:
                outcome = act(name)
                db.session.commit()
                outcomes[name] = outcome
            except refused as error:
                db.session.rollback()
                outcomes[name] = explain(error) if explain else str(error.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def one_won(outcomes: dict[str, str], success: str) -> str:
    """The one name whose act succeeded, after checking the other was told who it was."""
    winners = [name for name, outcome in outcomes.items() if outcome == success]
    assert len(winners) == 1, outcomes
    [loser] = [name for name in outcomes if name != winners[0]]
    assert winners[0] in outcomes[loser], outcomes
    return winners[0]


STALE = (RuleError, StaleDataError)
