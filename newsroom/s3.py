"""django-storages' ``S3Storage`` as the media storage (``MEDIA_STORAGE=s3``).

Only one thing differs: a failure to reach or use the bucket is raised as an
``OSError``, as the local storage raises a full or read-only disk, so every
writer's existing handling applies (``articles.services.MediaUnavailable``:
a form error, nothing saved; a 503 from the body-picture upload; a task tried
again) instead of a 500. Imported only with ``MEDIA_STORAGE=s3`` (settings
name it as a string), so the local default never loads boto3.
"""

import errno
import functools

from botocore.exceptions import BotoCoreError, ClientError
from storages.backends.s3 import S3File, S3Storage
from storages.utils import clean_name


def _as_os_error(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            number = errno.EACCES if code in {"AccessDenied", "403"} else errno.EIO
            raise OSError(number, f"Object storage refused: {code}") from error
        except BotoCoreError as error:
            raise OSError(errno.EIO, f"Object storage unreachable: {error}") from error

    return wrapper


class S3MediaFile(S3File):
    """``S3File``, whose download on first read (a property) fails as
    ``OSError`` too, not only the request that opened it."""

    file = property(_as_os_error(S3File._get_file), S3File._set_file)
    read = _as_os_error(S3File.read)
    readline = _as_os_error(S3File.readline)


class S3MediaStorage(S3Storage):
    """``S3Storage``, its failures raised as ``OSError`` (see the module)."""

    @_as_os_error
    def _open(self, name, mode="rb"):
        # S3Storage._open, with the file class above.
        name = self._normalize_name(clean_name(name))
        try:
            return S3MediaFile(name, mode, self)
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from error
            raise

    _save = _as_os_error(S3Storage._save)
    delete = _as_os_error(S3Storage.delete)
    exists = _as_os_error(S3Storage.exists)
    size = _as_os_error(S3Storage.size)
    listdir = _as_os_error(S3Storage.listdir)
