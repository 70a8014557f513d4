"""vnocr: faithful Vietnamese text and clean indicator tables from scans of government reports."""
from __future__ import annotations

__version__ = "0.1.0"
