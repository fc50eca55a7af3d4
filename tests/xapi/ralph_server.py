"""Run Ralph's LRS API with the filesystem backend (started by tests/xapi/ralph.py with
the Python of Ralph's own virtualenv; never imported by the test suite).

Ralph's filesystem backend (its development backend) creates its one file on a write and
refuses every later write to it ('already exists and overwrite is not allowed'): an LRS
that stores one batch only. Here its writes append instead. Everything the tests rely on
is Ralph's own: validation of statements, 409 for a known id, the statements API."""

import sys

from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.fs import FSDataBackend

FSDataBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    import uvicorn

    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
