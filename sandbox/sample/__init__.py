"""The sample company the demo and the test suite run on: deterministic, vectorised, contract-shaped.

``generate_sample(config)`` returns the tables of docs/architecture.md ("Sample company") with exactly the
contract's columns; ``write_sample``/``load_sample`` round-trip them through Parquet + ``meta.json``.

Column types (the same in generated and loaded frames):

- text: pandas ``str`` (missing = NaN). Ids, money and goal numbers are text: money with 2 decimals
  (``"4500.00"``), goal targets/actuals/weights and leave hours at the metric's precision, ids with leading
  zeros kept (``zk_pin "00123"``).
- calendar dates (``hire_date``, ``work_date``, ``week_start``, ``live_from``, ``date``, ...): naive
  ``datetime64[s]`` at midnight (NaT when missing), written as Parquet ``DATE``.
- ``punch_time_local``: naive ``datetime64[s]``, the wall-clock time the device or app recorded (skew included).
- ``..._utc`` instants: ``datetime64[s, UTC]``.
- counts, ratings, ``punch_state``, ``line_no``, ``quantity``, ``break_minutes``: ``int64``.

Meanings worth knowing: ``termination_date`` is the last employed day and ``live_to`` the last live day
(both inclusive); ``employees.shift_code`` is a customer-service agent's shift in the first week (their teams
rotate weekly; ``roster`` is authoritative); ``zk_pin`` and ``device_sn`` are empty for WeCom users; a leave
row covers one rostered shift and its ``hours`` are that shift's paid hours. ``meta.json`` also records the
planted findings (the fast ZK device clock, the roster week over 40 h) and the ZK device serials per office.
"""

from sandbox.sample.config import SampleConfig
from sandbox.sample.contract import TABLE_COLUMNS
from sandbox.sample.generate import generate_sample
from sandbox.sample.store import load_sample, read_meta, write_sample

__all__ = ["TABLE_COLUMNS", "SampleConfig", "generate_sample", "load_sample", "read_meta", "write_sample"]
