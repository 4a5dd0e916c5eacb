"""Every daemon and conversation a test starts keeps its timers in a directory of the test run's own, never the
user's (~/.local/state/rtvi-edge): harnesses that start daemons give each one its own below this."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("RTVI_EDGE_STATE", tempfile.mkdtemp(prefix="rtvi-edge-test-state-"))
