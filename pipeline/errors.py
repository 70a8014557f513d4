"""Exceptions of vnocr. Each carries the exit code the CLI turns it into."""
from __future__ import annotations

from pathlib import Path


class VnocrError(Exception):
    """Root of every error vnocr raises on purpose."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InputFileError(VnocrError):
    """An input file that cannot be read: empty, binary, corrupt, encrypted, wrong encoding."""

    exit_code = 1

    def __init__(self, path: str | Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class MissingDependencyError(VnocrError):
    """A program or model vnocr needs is not installed (Tesseract, its 'vie' model)."""

    exit_code = 2


class OcrError(VnocrError):
    """Tesseract failed on a page."""

    exit_code = 1


class OutputError(VnocrError):
    """The output folder cannot be created or written."""

    exit_code = 2


class UsageError(VnocrError):
    """Bad arguments or options."""

    exit_code = 2


class PartialBatchError(VnocrError):
    """Some inputs of a batch failed; the others were written."""

    exit_code = 1
