"""Recording with consent (seed 002: calls may be recorded to evaluate and develop staff).

The caller is asked once per call; only an active yes (the consent key) records, and
from the answer on, service is the same either way: the same queue, the same place.
MixMonitor's `b` option keeps the file to the conversation (not the wait).
"""

from __future__ import annotations

from dataclasses import dataclass

CONSENT = "sb-consent"
RECORD_DIR_VAR = "SB_REC_DIR"


@dataclass(frozen=True, slots=True)
class Recording:
    directory: str = "/var/spool/asterisk/monitor/switchboard"  # on the Asterisk host
    consent_digit: str = "1"
    answer_timeout_s: int = 5
    keep_days: int = 30  # files older than this are deleted
    file_format: str = "wav"

    def file_pattern(self) -> str:
        """The MixMonitor file: loop, time and call id, never the caller's number."""
        return (
            f"{self.directory}/${{SB_LOOP}}-${{STRFTIME(${{EPOCH}},,%Y%m%d-%H%M%S)}}"
            f"-${{UNIQUEID}}.{self.file_format}"
        )
