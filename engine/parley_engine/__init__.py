"""Parley speech engine: a JSON-lines child process (see ../PROTOCOL.md).

Keep this file import-free: `python -m parley_engine` imports it before __main__ has set
the thread and offline environment variables that numpy and CTranslate2 read at import.
"""

PROTOCOL_VERSION = "1"
__version__ = "0.1.0"
