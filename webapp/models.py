"""Every model module, imported once so SQLAlchemy and Alembic see every table."""

from webapp.accounts import models as accounts  # noqa: F401
from webapp.assessments import models as assessments  # noqa: F401
from webapp.availability import models as availability  # noqa: F401
from webapp.billing import models as billing  # noqa: F401
from webapp.briefing import models as briefing  # noqa: F401
from webapp.callbacks import models as callbacks  # noqa: F401
from webapp.catalogue import models as catalogue  # noqa: F401
from webapp.complaints import models as complaints  # noqa: F401
from webapp.core import (
    calendar,  # noqa: F401
    org,  # noqa: F401
)
from webapp.core import models as core  # noqa: F401
from webapp.core.offline import models as offline  # noqa: F401
from webapp.customers import models as customers  # noqa: F401
from webapp.discipline import models as discipline  # noqa: F401
from webapp.dispatch import models as dispatch  # noqa: F401
from webapp.kiosk import models as kiosk  # noqa: F401
from webapp.manual import models as manual  # noqa: F401
from webapp.materials import models as materials  # noqa: F401
from webapp.month_files import models as month_files  # noqa: F401
from webapp.orders import models as orders  # noqa: F401
from webapp.quality import models as quality  # noqa: F401
from webapp.training import models as training  # noqa: F401
from webapp.visits import models as visits  # noqa: F401
from webapp.week_files import models as week_files  # noqa: F401
from webapp.workers import models as workers  # noqa: F401
