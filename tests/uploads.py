"""Multipart posts whose body file is closed afterwards.

Werkzeug's test client leaves the temporary file of a body over 500 KB open, which
`filterwarnings = error` turns into a failure (ResourceWarning).
"""

from werkzeug.test import EnvironBuilder


def post_multipart(client, path: str, fields: dict):
    builder = EnvironBuilder(
        path=path,
        base_url="http://branchdesk.test",
        method="POST",
        data=fields,
        content_type="multipart/form-data",
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
