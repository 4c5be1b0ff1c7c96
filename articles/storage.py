"""Media storage that never leaves half a file: the default storage.

``FileSystemStorage`` writes straight to the final name, so a disk that fills
up mid-write leaves a truncated picture that a page then links to. Here each
file is written under a hidden temporary name in its folder, then linked into
place in one step (``os.link``: atomic, and it refuses an existing name, as
``O_EXCL`` does); the temporary name is removed whatever happens. A failure
(``ENOSPC``, ``EROFS``, ``EACCES``...) leaves no file behind and raises the
``OSError``, which ``articles.services`` turns into ``MediaUnavailable``.

Since the link refuses a name that is taken, ``save()`` asks no existence
question first (Django's ``get_available_name()`` does, once per file): an
alternative name is chosen only when the link finds the name taken.
"""

import os
import tempfile
from contextlib import suppress

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.files.storage.filesystem import safe_makedirs
from django.core.files.utils import validate_file_name
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import cached_property

TEMPORARY_PREFIX = ".partial-"


class AtomicFileSystemStorage(FileSystemStorage):
    def get_available_name(self, name, max_length=None):
        name = str(name).replace("\\", "/")
        if max_length is not None and len(name) > max_length:
            return super().get_available_name(name, max_length)
        validate_file_name(name, allow_relative_path=True)
        return name

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        if self.directory_permissions_mode is not None:
            safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        temporary = self._open_temporary(directory)
        try:
            with open(temporary, "wb") as out:
                self._write(out, content)
            while True:
                try:
                    os.link(temporary, full_path)
                    break
                except FileExistsError:
                    name = super().get_available_name(name)
                    full_path = self.path(name)
        finally:
            with suppress(FileNotFoundError):
                os.unlink(temporary)
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        self._ensure_location_group_id(full_path)
        return os.path.relpath(full_path, self.location).replace("\\", "/")

    def _open_temporary(self, directory: str) -> str:
        """Create an empty, uniquely named temporary file; return its path."""
        fd, path = tempfile.mkstemp(dir=directory, prefix=TEMPORARY_PREFIX)
        os.close(fd)
        return path

    def _write(self, out, content) -> None:
        for chunk in content.chunks():
            out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
        out.flush()
        os.fsync(out.fileno())


class KeptUploadStorage(AtomicFileSystemStorage):
    """Beside the media folder, never inside it: a kept upload is not
    published, and no address serves it (``KEPT_UPLOADS_ROOT``, by default
    ``<MEDIA_ROOT>-kept``). Read when first used, and again when
    ``MEDIA_ROOT`` changes (tests)."""

    @cached_property
    def base_location(self):
        return getattr(settings, "KEPT_UPLOADS_ROOT", None) or (
            f"{str(settings.MEDIA_ROOT).rstrip('/')}-kept"
        )


class KeptUploads(Storage):
    """Where kept uploads (``articles.uploads``) live: ``STORAGES["kept_uploads"]``
    when the settings name one (with ``MEDIA_STORAGE=s3``, the bucket's
    private ``kept/`` part, so every app server finds what another kept), else
    ``KeptUploadStorage`` on this machine's disk. A storage that hands each
    call to that one, looked up again when ``STORAGES`` changes."""

    _target = None

    def target(self) -> Storage:
        if self._target is None:
            if "kept_uploads" in settings.STORAGES:
                self._target = storages["kept_uploads"]
            else:
                self._target = KeptUploadStorage()
        return self._target

    def forget(self) -> None:
        self._target = None

    def _open(self, name, mode="rb"):
        return self.target()._open(name, mode)

    def _save(self, name, content):
        return self.target()._save(name, content)

    def get_available_name(self, name, max_length=None):
        return self.target().get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.target().generate_filename(filename)

    def delete(self, name):
        return self.target().delete(name)

    def exists(self, name):
        return self.target().exists(name)

    def listdir(self, path):
        return self.target().listdir(path)

    def size(self, name):
        return self.target().size(name)

    def url(self, name):
        return self.target().url(name)

    def path(self, name):
        return self.target().path(name)

    def __getattr__(self, name):
        # Anything else a storage has (location, base_location...).
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.target(), name)


kept_uploads = KeptUploads()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        kept_uploads.forget()
