"""The shared store: one JSON file that several processes edit safely, with its audit log,
backups and undo. The only package that imports TinyDB.

Outside this package, import from here (``from ccb_tui.core.store import Store``) or from its
two public modules: ``audit`` (the change log as data) and ``paths`` (where the file lives).
"""

from .documents import describe as describe_value
from .files import atomic_write, now_iso, output_exists_msg, write_user_file
from .store import ANY, Change, Store
from .thidua import TEXT_LIMIT as COMMENDATION_TEXT_LIMIT
from .thidua import TEXT_LIMIT as THIDUA_TEXT_LIMIT
from .waiting import patiently

__all__ = ["ANY", "COMMENDATION_TEXT_LIMIT", "THIDUA_TEXT_LIMIT", "Change", "Store", "atomic_write", "describe_value", "now_iso", "output_exists_msg",
           "patiently", "write_user_file"]
