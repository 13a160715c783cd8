"""The fixture store: recording (:mod:`.record`), replay (:mod:`.replay`), the call matcher
(:mod:`.matching`), secret redaction (:mod:`.redact`), fixture-set diffs (:mod:`.diff`) and
HAR 1.2 export and import (:mod:`.har`).

It sits above the client and the transports and below the emulator, the conformance runner
and the command line.
"""
