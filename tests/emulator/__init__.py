"""Tests of the reference emulator (flickrwire.emulator)."""
