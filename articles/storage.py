"""Media storage that never leaves half a file: the default storage.

``FileSystemStorage`` writes straight to the final name, so a disk that fills
up mid-write leaves a truncated picture that a page then links to. Here each
file is written under a hidden temporary name in its folder, then linked into
place in one step (``os.link``: atomic, and it refuses an existing name, as
``O_EXCL`` does); the temporary name is removed whatever happens. A failure
(``ENOSPC``, ``EROFS``, ``EACCES``...) leaves no file behind and raises the
``OSError``, which ``articles.services`` turns into ``MediaUnavailable``.
"""

import os
import tempfile
from contextlib import suppress

from django.core.files.storage import FileSystemStorage
from django.core.files.storage.filesystem import safe_makedirs

TEMPORARY_PREFIX = ".partial-"


class AtomicFileSystemStorage(FileSystemStorage):
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
                    name = self.get_available_name(name)
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
