"""Recorded traffic in every format, read into `Recording` / `Exchange` (see `traffic.model`)."""

from respcheck.traffic.loaders import iter_real_traffic, load_file, load_tree
from respcheck.traffic.model import Exchange, Recording

__all__ = ["Exchange", "Recording", "iter_real_traffic", "load_file", "load_tree"]
